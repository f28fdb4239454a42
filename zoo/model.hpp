// zoo::build turns a ModelSpec into a graph:
//   x~     = corrupt(x)                      (training plans only)
//   c      = conv blocks(x~), flattened      convolutional models only
//   h_i    = f(W_i h_{i-1} + b_i)            encoder, h_0 = x~ or c (| one-hot label)
//   z      = f_code(W_c h + b_c)             or, variational: z = mu + exp(logvar/2) * eps
//   x_hat  = f_out(W_d ... z + b_d)          decoder; tied: W_d = W_e^T; conv blocks last
//   loss   = recon(x_hat, x) + penalties     each a batch mean of per-sample sums
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph.hpp"
#include "zoo/spec.hpp"

namespace aeg::zoo {

// A penalty term: `weighted` = weight * `raw`, and `weighted` is part of the loss.
struct Penalty {
  std::string name;  // "l1", "kl_sparsity", "contractive", "kl"
  double weight = 0;
  Var raw, weighted;
};

struct Model {
  ModelSpec spec;
  Graph graph;
  Var x;           // the batch fed to the encoder (batch, features)
  Var target;      // what the reconstruction is compared with: x itself, unless built
                   // with a separate target (denoising evaluation feeds noisy x, clean target)
  Var label;       // one-hot (batch, classes), conditional models only
  Var code;        // the code (a sample of it, for a variational model)
  Var mu, logvar;  // variational models only
  Var logits;      // the decoder's last pre-activation
  Var recon;       // x_hat
  Var recon_loss;  // BCE or 1/2 sum of squares, batch mean of per-sample sums
  std::vector<Penalty> penalties;
  Var loss;        // recon_loss + every penalty
  Var code_mean;   // built with BuildOptions::given_code_mean and a KL sparsity penalty: an input
                   // (code units) of the whole batch's mean code, which the penalty is taken at
};

struct Decoder {
  ModelSpec spec;
  Graph graph;
  Var z;      // (batch, code)
  Var label;  // one-hot, conditional models only
  Var recon;  // x_hat
};

// Parameters are named "enc<i>/W", "enc<i>/b", "mu/W", "logvar/W", "dec<i>/W",
// "conv<i>/W", "dconv<i>/W", ... and initialised as PyTorch's nn.Linear and
// nn.Conv2d (uniform +-1/sqrt(fan_in)).
struct BuildOptions {
  bool separate_target = false;
  // Also compute the code's mean ||J||_F^2 (the contractive term, weight 0) for a model
  // trained without it; for models where the contractive penalty would apply.
  bool jacobian_norm = false;
  // The KL sparsity penalty at a mean fed from outside (the code_mean input,
  // kl_sparsity(code, rho, code_mean)) rather than the graph's own batch's:
  // data-parallel training feeds each block the whole batch's mean.
  bool given_code_mean = false;
};
std::unique_ptr<Model> build(const ModelSpec& spec, std::int64_t batch, BuildOptions options = {});
// The decoder alone (sampling, interpolation), sharing the model's parameter names.
std::unique_ptr<Decoder> build_decoder(const ModelSpec& spec, std::int64_t batch);

}  // namespace aeg::zoo
