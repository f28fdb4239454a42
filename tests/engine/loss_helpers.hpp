// Small helpers for the loss and random-op tests: run a graph once, and a
// direct central-difference check of a scalar output (independent of the
// gradcheck sweep), replaying the generator before every forward.
#pragma once
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine/executor.hpp"
#include "engine/gradcheck.hpp"
#include "engine/ops.hpp"

namespace aeg::test {

using Feeds = std::vector<std::pair<Var, Tensor<double>>>;

inline Tensor<double> uniform_tensor(Rng& rng, Shape s, double lo, double hi) {
  Tensor<double> t(std::move(s));
  for (auto& v : t.data) v = rng.uniform(lo, hi);
  return t;
}

template <class T>
Tensor<T> cast(const Tensor<double>& t) {
  return tensor_cast<T>(t);
}

// Compares backward with central differences for every fed input that
// requires a gradient; the output must be a scalar.
inline void fd_check(Graph& g, Var out, Feeds feeds, std::uint64_t seed = 7, double h = 1e-6,
                     double atol = 1e-6, double rtol = 1e-4) {
  Plan p = compile(g, {out});
  ParamStore<double> ps;
  Executor<double> ex(p, ps, {.threads = 1, .seed = seed});
  const std::string st = ex.rng().state();
  auto f = [&] {
    for (auto& [v, t] : feeds) ex.set_input(v, t);
    ex.rng().set_state(st);
    ex.forward();
    return ex.scalar(out);
  };
  f();
  ex.backward();
  for (auto& [v, t] : feeds) {
    if (!g.node(v).requires_grad) continue;
    const Tensor<double> an = ex.grad(v);
    for (std::int64_t i = 0; i < t.size(); ++i) {
      const double num = central_difference(t[i], h, f);
      INFO("input " << g.label(v.id) << " element " << i << ": analytic " << an[i] << ", numeric " << num);
      CHECK(std::abs(an[i] - num) <= atol + rtol * std::abs(num));
    }
  }
}

// Forward (and backward with a unit seed when the plan has gradients) in T on
// the given number of threads; returns the output value and the gradients of
// the inputs that require one, all flattened into one vector for bit comparisons.
template <class T>
std::vector<T> run_flat(Graph& g, Var out, const Feeds& feeds, int threads, std::uint64_t seed = 3,
                        PlanOptions po = {}) {
  Plan p = compile(g, {out}, po);
  ParamStore<T> ps;
  Executor<T> ex(p, ps, {.threads = threads, .seed = seed});
  for (auto& [v, t] : feeds) ex.set_input(v, cast<T>(t));
  ex.forward();
  std::vector<T> r = ex.value(out).data;
  if (po.grads) {
    ex.backward();
    for (auto& [v, t] : feeds)
      if (g.node(v).requires_grad) {
        const auto gr = ex.grad(v);
        r.insert(r.end(), gr.data.begin(), gr.data.end());
      }
  }
  return r;
}

}  // namespace aeg::test
