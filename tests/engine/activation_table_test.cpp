// The activation table (engine/activation.hpp, engine/ops/activation_table.hpp):
// every row's names parse back to it, its f stays in its stated range, and its f'
// and f'' (the contractive penalty's) agree with f by central differences in double.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "engine/activation.hpp"
#include "engine/ops/activation_table.hpp"
#include "engine/rng.hpp"

using namespace aeg;

namespace {

template <class... R>
void each_row(detail::act::RowList<R...>, auto&& k) {
  (k(R{}), ...);
}

}  // namespace

TEST_CASE("every activation's name and aliases parse back to it, in the enumeration's order", "[engine][activation]") {
  const auto& rows = activations();
  REQUIRE_FALSE(rows.empty());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(rows[i].name);
    CHECK(static_cast<std::size_t>(rows[i].id) == i);
    CHECK(find_activation(rows[i].name) == rows[i].id);
    CHECK(activation_info(rows[i].id).name == rows[i].name);
    for (std::string_view alias : rows[i].aliases) CHECK(find_activation(alias) == rows[i].id);
    CHECK(activation_names().find(std::string(rows[i].name)) != std::string::npos);
  }
  CHECK(find_activation("linear") == Activation::Identity);
  CHECK_FALSE(find_activation("swish").has_value());
  CHECK_THROWS_WITH(activation_info(static_cast<Activation>(activations().size())), Catch::Contains("is not one of identity, sigmoid"));
  CHECK(activation_info(Activation::LeakyRelu).param == 0.01);
  CHECK(activation_info(Activation::LeakyRelu).param_name == "slope");
}

TEST_CASE("every activation row: f in its range, f' and f'' by central differences", "[engine][activation]") {
  Rng rng(11);
  each_row(detail::act::ActivationRows{}, [&](auto row) {
    using R = decltype(row);
    INFO(R::name);
    const detail::UnaryAttr attr{R::param};
    for (int i = 0; i < 200; ++i) {
      double a = 8 * (rng.uniform() - 0.5);
      if (std::abs(a) < 1e-3) a += 0.01;  // away from ReLU's kink
      const double y = R::f(a, attr);
      CHECK(y >= R::lo);
      CHECK(y <= R::hi);
      double d1 = 0, d2 = 0;
      R::d12(a, R::param, d1, d2);
      const double h = 1e-5;
      CHECK(d1 == Approx((R::f(a + h, attr) - R::f(a - h, attr)) / (2 * h)).epsilon(1e-6).margin(1e-8));
      CHECK(d1 == Approx(R::df(a, y, attr)).epsilon(1e-12).margin(1e-14));  // the op's own derivative
      double up1 = 0, up2 = 0, dn1 = 0, dn2 = 0;
      R::d12(a + h, R::param, up1, up2);
      R::d12(a - h, R::param, dn1, dn2);
      CHECK(d2 == Approx((up1 - dn1) / (2 * h)).epsilon(1e-5).margin(1e-8));
    }
  });
}
