// engine/xtensor.hpp: inputs from xtensor expressions, zero-copy views of values,
// gradients and parameters, and ParamStore tensors made from xtensor.
#include <catch2/catch.hpp>

#include <cmath>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>

#include "engine/ops.hpp"
#include "engine/xtensor.hpp"

using namespace aeg;

// h = tanh(x W^T), y = sum(h): x (4, 2) requires a gradient, W (3, 2) comes from xtensor.
TEMPLATE_TEST_CASE("xtensor in, zero-copy xtensor views out: values, gradients, parameters", "[engine][xtensor]",
                   float, double) {
  using T = TestType;
  Graph g;
  Var x = g.input("x", {4, 2}, true);
  Var w = g.param("W", {3, 2}, Init::zeros());
  Var h = tanh(matmul(x, w, false, true)).named("h");
  Var y = sum(h);
  ParamStore<T> ps;
  const xt::xtensor<T, 2> w0 = {{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}};
  ps.add("W", to_tensor(w0));
  CHECK(ps.at("W").value.shape == Shape{3, 2});
  CHECK(ps.at("W").value.data == std::vector<T>(w0.begin(), w0.end()));

  Executor<T> ex(compile(g, {y}, {.reuse_memory = false}), ps);  // keeps h's value and gradient
  const xt::xtensor<T, 2> base = {{1, 2}, {-1, 0.5}, {0, 3}, {2, -2}};
  set_input(ex, x, T(0.5) * base);  // a lazy expression, evaluated into the input
  ex.forward();
  ex.backward();

  const auto hv = value_view(ex, h);
  const auto dx = grad_view(ex, x);
  const auto dw = grad_view(ex, w);
  REQUIRE(hv.shape() == std::vector<std::size_t>{4, 3});
  CHECK(hv.data() == ex.value_data(h));           // views, not copies
  CHECK(dx.data() == ex.grad_data(x));
  CHECK(dw.data() == ps.at("W").grad.ptr());       // a parameter's gradient lives in the store
  CHECK(value_view(ex, x)(3, 1) == T(-1));
  const T tol = std::is_same_v<T, float> ? T(1e-6) : T(1e-14);
  for (std::size_t j = 0; j < 3; ++j)
    for (std::size_t k = 0; k < 2; ++k) {
      T dwjk = 0;
      for (std::size_t i = 0; i < 4; ++i) {
        const T a = T(0.5) * base(i, 0) * w0(j, 0) + T(0.5) * base(i, 1) * w0(j, 1);
        CHECK(std::abs(hv(i, j) - std::tanh(a)) <= tol);
        dwjk += (1 - std::tanh(a) * std::tanh(a)) * T(0.5) * base(i, k);
      }
      CHECK(std::abs(dw(j, k) - dwjk) <= tol);
      CHECK(param_grad_view(ps, "W")(j, k) == dw(j, k));
    }
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t k = 0; k < 2; ++k) {
      T d = 0;
      for (std::size_t j = 0; j < 3; ++j) d += (1 - hv(i, j) * hv(i, j)) * w0(j, k);
      CHECK(std::abs(dx(i, k) - d) <= tol);
    }

  // A parameter view writes the store's own values: the next forward sees them.
  auto wv = param_view(ps, "W");
  wv = xt::zeros<T>({3, 2});
  CHECK(ps.at("W").value.data == std::vector<T>(6, T(0)));
  ex.forward();
  CHECK(ex.scalar(y) == T(0));
  CHECK(hv(0, 0) == T(0));  // the same view shows the new value
}

TEST_CASE("xtensor adapters refuse a wrong shape, a non-input and a gradient never planned", "[engine][xtensor]") {
  Graph g;
  Var x = g.input("x", {4, 2});
  Var y = sum(sigmoid(x));
  ParamStore<float> ps;
  Executor<float> ex(compile(g, {y}, {.grads = false}), ps);
  const xt::xtensor<float, 1> row = {1, 2};  // would broadcast to (4, 2): refused
  CHECK_THROWS_WITH(set_input(ex, x, row), Catch::Contains("'x'") && Catch::Contains("[4, 2]") &&
                                               Catch::Contains("the expression [2]"));
  CHECK_THROWS_WITH(set_input(ex, x, xt::xtensor<float, 2>::from_shape({2, 4})), Catch::Contains("[2, 4]"));
  CHECK_THROWS_WITH(ex.forward(), Catch::Contains("never given data"));  // a refused feed feeds nothing
  CHECK_THROWS_WITH(set_input(ex, y, xt::xtensor<float, 0>()), Catch::Contains("not an input"));
  set_input(ex, x, xt::zeros<float>({4, 2}));
  ex.forward();
  CHECK(value_view(ex, y)() == 4.0f);  // 8 sigmoids of 0
  CHECK_THROWS_WITH(grad_view(ex, x), Catch::Contains("no gradient is planned for 'x'"));
  CHECK_THROWS_WITH(param_view(ps, "nope"), Catch::Contains("nope"));
}

TEST_CASE("to_tensor and view convert between aeg::Tensor and xtensor in both directions", "[engine][xtensor]") {
  const xt::xtensor<double, 3> a = xt::arange<double>(24).reshape({2, 3, 4});
  const Tensor<float> t = to_tensor<float>(a);  // converting the element type on the way
  CHECK(t.shape == Shape{2, 3, 4});
  CHECK(t[23] == 23.0f);
  const auto v = view(t);
  CHECK(v(1, 2, 3) == 23.0f);
  CHECK(v.data() == t.ptr());
  Tensor<double> s({2});
  view(s) = xt::xtensor<double, 1>{5, 6};
  CHECK(s.data == std::vector<double>{5, 6});
}
