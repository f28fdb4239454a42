#include "zoo/model.hpp"

#include "zoo/layers.hpp"

#include <stdexcept>

namespace aeg::zoo {

namespace {

// The decoder from z (batch, code) to the output pre-activation (batch, features).
// With a conv decoder the dense layers end at the conv code's size (activated), which
// is reshaped to the conv encoder's output shape and run through the conv layers.
Var decode(Graph& g, const ModelSpec& s, Var z, Var label, const std::vector<Dense>& encoder) {
  const bool conv = !s.conv_decoder.empty();
  const std::vector<std::int64_t> conv_in = s.conv_code_shape();
  const std::int64_t batch = z.shape()[0];
  std::vector<std::int64_t> sizes{s.code + (s.conditional ? s.classes : 0)};
  if (!s.conv_code) {
    for (auto h : s.decoder_sizes()) sizes.push_back(h);
    sizes.push_back(conv ? numel(conv_in) : s.features);
  }
  Var h = s.conditional ? concat({z, label}, 1) : z;
  const std::size_t layers = sizes.size() - 1;
  for (std::size_t i = 0; i < layers; ++i) {
    const std::string name = "dec" + std::to_string(i);
    Var a;
    if (s.tied) {
      // Decoder layer i mirrors encoder layer (layers - 1 - i): W_d = W_e^T.
      const Dense& e = encoder[layers - 1 - i];
      Var b = g.param(name + "/b", {sizes[i + 1]}, Init::torch_default(sizes[i]));
      a = tied(e, h, b);
    } else {
      a = dense(g, name, sizes[i], sizes[i + 1])(h);
    }
    const bool logits = !conv && i + 1 == layers;
    a.named(logits ? "logits" : name + "/a");
    if (logits) return a;
    h = activate(a, s.activation).named(name + "/h");
  }
  h = reshape(h, {batch, conv_in[0], conv_in[1], conv_in[2]});
  for (std::size_t i = 0; i < s.conv_decoder.size(); ++i) {
    const bool last = i + 1 == s.conv_decoder.size();
    h = apply_conv_layer(h, s.conv_decoder[i], "dconv" + std::to_string(i), !last);
  }
  return reshape(h, {batch, s.features}).named("logits");
}

}  // namespace

std::unique_ptr<Model> build(const ModelSpec& spec, std::int64_t batch, BuildOptions options) {
  validate(spec);
  if (batch <= 0) throw std::invalid_argument("batch size must be positive");
  auto m = std::make_unique<Model>();
  m->spec = spec;
  Graph& g = m->graph;
  const ModelSpec& s = m->spec;
  m->x = g.input("x", {batch, s.features});
  m->target = options.separate_target ? g.input("target", {batch, s.features}) : m->x;
  if (s.conditional) m->label = g.input("label", {batch, s.classes});

  Var h = corrupt(m->x, s.noise, s.noise_level, target_range(s));
  if (s.noise != Noise::None) h.named("x_noisy");
  if (s.conditional) h = concat({h, m->label}, 1);
  std::int64_t width = s.features + (s.conditional ? s.classes : 0);
  if (!s.conv_encoder.empty()) {
    const auto& is = s.image_shape;
    h = reshape(h, {batch, is[0], is[1], is[2]});
    for (std::size_t i = 0; i < s.conv_encoder.size(); ++i)
      h = apply_conv_layer(h, s.conv_encoder[i], "conv" + std::to_string(i));
    width = numel(h.shape()) / batch;
    h = reshape(h, {batch, width}).named(s.conv_code ? "code" : "conv/flat");
  }

  std::vector<std::int64_t> sizes{width};
  for (auto v : s.hidden) sizes.push_back(v);
  if (!s.variational && !s.conv_code) sizes.push_back(s.code);
  std::vector<Dense> enc;
  Var code_pre, vae_kl;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string name = "enc" + std::to_string(i);
    enc.push_back(dense(g, name, sizes[i], sizes[i + 1]));
    Var a = enc.back()(h).named(name + "/a");
    const bool is_code = !s.variational && i + 2 == sizes.size();
    if (is_code) code_pre = a;
    h = activate(a, is_code ? s.code_activation : s.activation).named(is_code ? "code" : name + "/h");
  }

  if (s.variational) {
    const GaussianCode gc = gaussian_code(g, h, s.code);
    m->mu = gc.mu;
    m->logvar = gc.logvar;
    m->code = gc.z;
    vae_kl = gc.kl;
  } else {
    m->code = s.k_sparse > 0 ? k_sparse(h, s.k_sparse).named("code_k") : h;
  }

  m->logits = decode(g, s, m->code, m->label, enc);
  m->recon = activate(m->logits, s.output).named("x_hat");
  m->recon_loss = (s.loss == Loss::BCE ? bce_with_logits(m->logits, m->target) : mse(m->recon, m->target)).named("recon_loss");

  Var total = m->recon_loss;
  auto penalty = [&](const std::string& name, double weight, Var raw) {
    raw.named(name);
    Var weighted = mul_scalar(raw, weight).named(name + "_weighted");
    m->penalties.push_back({name, weight, raw, weighted});
    if (weight != 0) total = add(total, weighted);  // 0: a figure to report, not part of the loss
  };
  if (s.l1 > 0) penalty("l1", s.l1, l1_activity(m->code));
  if (s.kl_beta > 0) {
    if (options.given_code_mean) {
      m->code_mean = g.input("code_mean", {numel(m->code.shape()) / batch});
      penalty("kl_sparsity", s.kl_beta, kl_sparsity(m->code, s.kl_rho, m->code_mean));
    } else {
      penalty("kl_sparsity", s.kl_beta, kl_sparsity(m->code, s.kl_rho));
    }
  }
  if (s.contractive > 0) {
    penalty("contractive", s.contractive, contractive(code_pre, enc.back().w, s.code_activation));
  } else if (options.jacobian_norm) {
    ModelSpec with = s;
    with.contractive = 1;
    validate(with);  // the same rules as the penalty: one dense layer, a supported code
    penalty("contractive", 0.0, contractive(code_pre, enc.back().w, s.code_activation));
  }
  if (s.variational) penalty("kl", s.beta, vae_kl);
  m->loss = total.named("loss");
  return m;
}

std::unique_ptr<Decoder> build_decoder(const ModelSpec& spec, std::int64_t batch) {
  validate(spec);
  auto d = std::make_unique<Decoder>();
  d->spec = spec;
  Graph& g = d->graph;
  const ModelSpec& s = d->spec;
  d->z = g.input("z", {batch, s.code});
  if (s.conditional) d->label = g.input("label", {batch, s.classes});
  // Tied decoders need the encoder weights: declare them with the same names.
  std::vector<Dense> enc;
  if (s.tied) {
    std::vector<std::int64_t> sizes{s.features};
    for (auto v : s.hidden) sizes.push_back(v);
    sizes.push_back(s.code);
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
      enc.push_back(dense(g, "enc" + std::to_string(i), sizes[i], sizes[i + 1]));
  }
  Var logits = decode(g, s, d->z, d->label, enc);
  d->recon = activate(logits, s.output).named("x_hat");
  return d;
}

}  // namespace aeg::zoo
