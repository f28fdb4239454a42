// Gradient-check cases, keyed by registered op name. Each op's test file
// registers at least one case with AEG_CHECK_CASE; the sweep
// (gradient_sweep_test.cpp) runs them all and fails for a registered op with none.
#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph.hpp"
#include "engine/rng.hpp"

namespace aeg::test {

struct CheckSetup {
  Graph& g;
  Rng& rng;
  std::vector<std::pair<Var, Tensor<double>>> feeds;

  // A gradient-requiring input filled uniformly in [lo, hi).
  Var input(const std::string& name, Shape shape, double lo = -1, double hi = 1);
  // The same, but |value - k| >= margin for every kink k (relu at 0, abs, clip bounds).
  Var input_away_from(const std::string& name, Shape shape, const std::vector<double>& kinks,
                      double lo = -1, double hi = 1, double margin = 0.05);
  // A data input that takes no gradient (targets, labels).
  Var data(const std::string& name, Shape shape, double lo = 0, double hi = 1);
  // A random shape of the given rank with sides in [lo, hi].
  Shape shape(int rank, std::int64_t lo = 1, std::int64_t hi = 5);
};

struct CheckCase {
  std::string op, title;
  std::function<Var(CheckSetup&)> build;  // returns the output to check
  double atol = 1e-5, rtol = 1e-3;
};

std::multimap<std::string, CheckCase>& check_cases();

// The names of the op nodes of g.
std::set<std::string> op_names(const Graph& g);
// Those of them that registered_ops() does not list (an op class left out of
// engine/registry.cpp), sorted.
std::vector<std::string> unregistered_ops(const Graph& g);

struct CheckCaseRegistrar {
  explicit CheckCaseRegistrar(CheckCase c) { check_cases().emplace(c.op, std::move(c)); }
};

#define AEG_CHECK_CAT2(a, b) a##b
#define AEG_CHECK_CAT(a, b) AEG_CHECK_CAT2(a, b)
// AEG_CHECK_CASE("sigmoid", "rank 2", [](CheckSetup& s) { return sigmoid(s.input("x", {3, 4})); });
#define AEG_CHECK_CASE(op, title, ...)                                                  \
  static const ::aeg::test::CheckCaseRegistrar AEG_CHECK_CAT(aeg_check_case_, __LINE__)( \
      ::aeg::test::CheckCase{op, title, __VA_ARGS__})

}  // namespace aeg::test
