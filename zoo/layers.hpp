// The zoo's building blocks, for a model built by hand as zoo::build builds its
// own (train/model_def.hpp trains it):
//
//   Dense e = dense(g, "enc0", 784, 64);
//   Var z = sigmoid(e(x));                                   // z = f(W_e x + b_e)
//   Var x_hat = sigmoid(tied(e, z, g.param("dec0/b", {784}, Init::zeros())));  // W_d = W_e^T
//
// Convolutional blocks are zoo/conv_layers.hpp's apply_conv_layer.
#pragma once
#include <cstdint>
#include <string>

#include "engine/graph.hpp"
#include "zoo/spec.hpp"

namespace aeg::zoo {

// A dense layer's parameters "<name>/W" (out x in, as PyTorch's nn.Linear) and
// "<name>/b" (out), initialised as nn.Linear (uniform +-1/sqrt(in)).
struct Dense {
  Var w, b;
  Var operator()(Var h) const;  // h W^T + b
};
Dense dense(Graph& g, const std::string& name, std::int64_t in, std::int64_t out);

// The decoder layer of tied weights: h W_e + b, i.e. W_d = W_e^T.
Var tied(const Dense& encoder, Var h, Var b);

// Training-time corruption of the input: masking (rate), Gaussian (sigma, clipped
// to `range` where it is bounded) or salt-and-pepper (rate).
Var corrupt(Var x, Noise noise, double level, const TargetRange& range);

// A VAE's code: mu and logvar heads ("mu/W", "logvar/W", ...) over h, a sample
// z = mu + exp(logvar / 2) * eps, and the Gaussian KL per sample, batch mean.
struct GaussianCode {
  Var mu, logvar, z, kl;
};
GaussianCode gaussian_code(Graph& g, Var h, std::int64_t code);

}  // namespace aeg::zoo
