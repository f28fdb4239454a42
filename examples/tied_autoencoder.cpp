// The seed's two equations with tied weights, trained on generated data:
//   z = sigmoid(W x + b_e),  x_hat = sigmoid(W^T z + b_d),  loss = BCE(x_hat, x)
#include <aegraph/engine/executor.hpp>
#include <aegraph/engine/ops.hpp>
#include <aegraph/engine/optim.hpp>
#include <aegraph/engine/xtensor.hpp>
#include <cstdio>
#include <xtensor/xrandom.hpp>
#include <xtensor/xview.hpp>
using namespace aeg;

int main() {
  constexpr std::size_t n = 128, d = 32, k = 8;  // samples, features, code (xtensor's shapes are unsigned)
  // Data: 4 random binary patterns, row i a copy of pattern i % 4 with 10 % of its bits flipped.
  xt::random::seed(1);
  const xt::xtensor<float, 2> patterns = xt::cast<float>(xt::random::rand<float>({std::size_t(4), d}) < 0.5f);
  xt::xtensor<float, 2> data = xt::cast<float>(xt::random::rand<float>({n, d}) < 0.1f);  // the flips
  for (std::size_t i = 0; i < n; ++i) xt::row(data, i) = xt::abs(xt::row(patterns, i % 4) - xt::row(data, i));

  Graph g;
  Var x = g.input("x", {n, d});
  Var W = g.param("W", {k, d}, Init::glorot_uniform());
  Var b_e = g.param("b_e", {k}, Init::zeros()), b_d = g.param("b_d", {d}, Init::zeros());
  Var z = sigmoid(linear(x, W, b_e));                 // z = sigmoid(W x + b_e), a row per sample
  Var loss = bce_with_logits(matmul(z, W) + b_d, x);  // x_hat = sigmoid(W^T z + b_d): the same W
  ParamStore<float> params;
  Rng rng(1);
  params.init_from(g, rng);
  Executor<float> ex(compile(g, {loss}), params);
  Adam<float> adam(params, {.lr = 1e-2});
  set_input(ex, x, data);  // the whole data set is one batch

  float first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    adam.zero_grad();
    ex.forward();
    ex.backward();
    adam.step();
    last = ex.scalar(loss);
    if (step == 0) first = last;
    if (step % 50 == 0 || step == 299) std::printf("step %3d  BCE per sample %.4f\n", step, last);
  }
  if (!(last < 0.5f * first)) {
    std::printf("FAILED: the loss did not halve (%.4f -> %.4f)\n", first, last);
    return 1;
  }
  std::printf("ok: the loss fell from %.4f to %.4f\n", first, last);
}
