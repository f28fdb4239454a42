#include "check_cases.hpp"

#include <algorithm>
#include <cmath>

namespace aeg::test {

std::multimap<std::string, CheckCase>& check_cases() {
  static std::multimap<std::string, CheckCase> cases;
  return cases;
}

Var CheckSetup::input(const std::string& name, Shape shape, double lo, double hi) {
  Tensor<double> t(shape);
  for (auto& x : t.data) x = rng.uniform(lo, hi);
  Var v = g.input(name, std::move(shape), true);
  feeds.emplace_back(v, std::move(t));
  return v;
}

Var CheckSetup::input_away_from(const std::string& name, Shape shape, const std::vector<double>& kinks,
                                double lo, double hi, double margin) {
  Tensor<double> t(shape);
  for (auto& x : t.data) {
    bool near = true;
    while (near) {
      x = rng.uniform(lo, hi);
      near = std::any_of(kinks.begin(), kinks.end(), [&](double k) { return std::abs(x - k) < margin; });
    }
  }
  Var v = g.input(name, std::move(shape), true);
  feeds.emplace_back(v, std::move(t));
  return v;
}

Var CheckSetup::data(const std::string& name, Shape shape, double lo, double hi) {
  Tensor<double> t(shape);
  for (auto& x : t.data) x = rng.uniform(lo, hi);
  Var v = g.input(name, std::move(shape), false);
  feeds.emplace_back(v, std::move(t));
  return v;
}

Shape CheckSetup::shape(int rank, std::int64_t lo, std::int64_t hi) {
  Shape s(static_cast<std::size_t>(rank));
  for (auto& d : s) d = lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
  return s;
}

}  // namespace aeg::test
