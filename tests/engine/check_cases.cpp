#include "check_cases.hpp"

#include <algorithm>
#include <cmath>

#include "engine/ops.hpp"

namespace aeg::test {

std::multimap<std::string, CheckCase>& check_cases() {
  static std::multimap<std::string, CheckCase> cases;
  return cases;
}

std::set<std::string> op_names(const Graph& g) {
  std::set<std::string> r;
  for (int id = 0; id < g.size(); ++id)
    if (g.node(id).kind == NodeKind::Op) r.emplace(g.node(id).op->name());
  return r;
}

std::vector<std::string> unregistered_ops(const Graph& g) {
  const std::vector<std::string> known = registered_ops();
  std::vector<std::string> r;
  for (const std::string& name : op_names(g))
    if (!std::binary_search(known.begin(), known.end(), name)) r.push_back(name);
  return r;
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
