// Finite-difference check of a graph's gradients in double precision
// (PyTorch's gradcheck defaults). The output is reduced with fixed random
// weights, so one backward pass checks the whole vector-Jacobian product.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph.hpp"
#include "engine/param_store.hpp"

namespace aeg {

struct GradcheckOptions {
  double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
  std::uint64_t seed = 0;  // for the output weights and the random ops' generator (replayed every run)
  int threads = 1;
};

struct GradcheckReport {
  bool ok = true;
  std::int64_t checked = 0;   // elements compared
  double worst_excess = 0;    // max of |analytic - numeric| - (atol + rtol |numeric|)
  std::string worst;          // which element, the node that consumes it, both values
  std::string failure;        // non-numeric failures (non-repeatable backward, zero seed)
  std::string message() const;
};

// (f(x + eps) - f(x - eps)) / (2 eps) for one value x of f's inputs, which it sets,
// evaluates f at and restores: the one central-difference step of gradcheck, of
// ae-graph's table of backprop against finite differences, and of the tests.
template <class F>
double central_difference(double& x, double eps, F&& f) {
  const double keep = x;
  x = keep + eps;
  const double up = f();
  x = keep - eps;
  const double down = f();
  x = keep;
  return (up - down) / (2 * eps);
}

// Every input in `feeds` that requires a gradient and every parameter in
// `params` that `output` depends on is checked. Also checks that backward run
// twice gives the same bits and that a zero seed gives zero gradients.
GradcheckReport gradcheck(Graph& g, Var output, const std::vector<std::pair<Var, Tensor<double>>>& feeds,
                          ParamStore<double>& params, const GradcheckOptions& options = {});

}  // namespace aeg
