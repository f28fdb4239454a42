// The op registry: every function of the op vocabulary (ops.hpp) called once on
// a scratch graph, and the names of the ops they made. An op's name is written
// once, in its class (Op::name). Nothing here depends on static initialisers:
// calling the functions links every op's object file into any program that asks
// for the list, in a normal static link.
//
// Adding an op: its class and function in engine/ops/, its line in ops.hpp, its
// call below, and a gradient-check case (tests/engine/cases_*.cpp). The sweep
// (tests/engine/gradient_sweep_test.cpp) fails for a case whose graph holds an op
// missing from this list, and for a listed op without a case.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "engine/ops.hpp"

namespace aeg {

namespace {

// Every vocabulary function once (each overload, so each op class), on shapes its
// checks accept. The values are never computed.
void call_every_op(Graph& g) {
  const Var m = g.input("m", {2, 3});            // a batch of rows
  const Var w = g.param("w", {4, 3}, Init::zeros());
  const Var b = g.param("b", {4}, Init::zeros());
  const Var img = g.input("img", {1, 2, 4, 4});  // N, C, H, W
  const Var k = g.param("k", {2, 2, 3, 3}, Init::zeros());
  const Var kb = g.param("kb", {2}, Init::zeros());

  // elementwise
  add(m, m), sub(m, m), mul(m, m), div(m, m), neg(m);
  add_scalar(m, 1), mul_scalar(m, 2), pow_scalar(m, 2);
  exp(m), log(m), sqrt(m), square(m), abs(m), clip(m, -1, 1);
  // activations
  for (const ActivationInfo& f : activations()) activate(m, f.id);
  // linear algebra and shape
  matmul(m, m, false, true), linear(m, w, b), transpose(m), reshape(m, {3, 2});
  concat({m, m}, 0), slice(m, 1, 0, 2);
  // reductions
  sum(m), sum(m, 0), mean(m), mean(m, 1, true);
  // losses and penalties
  bce(m, m), bce_with_logits(m, m), mse(m, m), l1_activity(m), kl_sparsity(m, 0.1), gaussian_kl(m, m);
  kl_sparsity(m, 0.1, g.input("rho_hat", {3}));
  contractive(linear(m, w, b), w, Activation::Sigmoid);
  k_sparse(m, 1);
  // random
  gaussian_noise(m, 0.1), masking_noise(m, 0.1), salt_pepper_noise(m, 0.1), reparameterize(m, m);
  // convolution, pooling, upsampling
  conv2d(img, k, kb, 1, 1), conv2d(img, k, 1, 1), conv2d_relu(img, k, kb, 1, 1);
  conv_transpose2d(img, k, kb, 1, 1), conv_transpose2d(img, k, 1, 1), conv_transpose2d_relu(img, k, kb, 1, 1);
  max_pool2d(img, 2), avg_pool2d(img, 2), upsample2d(img, 2);
}

}  // namespace

std::vector<std::string> registered_ops() {
  Graph g;
  call_every_op(g);
  std::set<std::string> names;
  for (int id = 0; id < g.size(); ++id)
    if (g.node(id).kind == NodeKind::Op) names.emplace(g.node(id).op->name());
  return {names.begin(), names.end()};
}

}  // namespace aeg
