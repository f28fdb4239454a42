#include "zoo/model.hpp"

#include <stdexcept>

namespace aeg::zoo {

namespace {

struct Dense {
  Var w, b;
};

Dense dense_params(Graph& g, const std::string& prefix, std::int64_t in, std::int64_t out) {
  const Init init = Init::torch_default(in);
  return {g.param(prefix + "/W", {out, in}, init), g.param(prefix + "/b", {out}, init)};
}

Var corrupt(Var x, const ModelSpec& s) {
  switch (s.noise) {
    case Noise::None: return x;
    case Noise::Masking: return masking_noise(x, s.noise_level);
    case Noise::Gaussian: return clip(gaussian_noise(x, s.noise_level), 0.0, 1.0);
    case Noise::SaltPepper: return salt_pepper_noise(x, s.noise_level);
  }
  return x;
}

// The decoder from z (batch, code) to the output pre-activation.
Var decode(Graph& g, const ModelSpec& s, Var z, Var label, const std::vector<Dense>& encoder) {
  std::vector<std::int64_t> sizes{s.code + (s.conditional ? s.classes : 0)};
  for (auto h : s.decoder_sizes()) sizes.push_back(h);
  sizes.push_back(s.features);
  Var h = s.conditional ? concat({z, label}, 1) : z;
  const std::size_t layers = sizes.size() - 1;
  for (std::size_t i = 0; i < layers; ++i) {
    const std::string name = "dec" + std::to_string(i);
    Var a;
    if (s.tied) {
      // Decoder layer i mirrors encoder layer (layers - 1 - i): W_d = W_e^T.
      const Dense& e = encoder[layers - 1 - i];
      Var b = g.param(name + "/b", {sizes[i + 1]}, Init::torch_default(sizes[i]));
      a = add(matmul(h, e.w).named(name + "/Wh"), b);
    } else {
      const Dense d = dense_params(g, name, sizes[i], sizes[i + 1]);
      a = linear(h, d.w, d.b);
    }
    a.named(i + 1 == layers ? "logits" : name + "/a");
    if (i + 1 == layers) return a;
    h = activate(a, s.activation).named(name + "/h");
  }
  return h;
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

  Var h = corrupt(m->x, s);
  if (s.noise != Noise::None) h.named("x_noisy");
  if (s.conditional) h = concat({h, m->label}, 1);

  std::vector<std::int64_t> sizes{s.features + (s.conditional ? s.classes : 0)};
  for (auto v : s.hidden) sizes.push_back(v);
  if (!s.variational) sizes.push_back(s.code);
  std::vector<Dense> enc;
  Var code_pre;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string name = "enc" + std::to_string(i);
    enc.push_back(dense_params(g, name, sizes[i], sizes[i + 1]));
    Var a = linear(h, enc.back().w, enc.back().b).named(name + "/a");
    const bool is_code = !s.variational && i + 2 == sizes.size();
    if (is_code) code_pre = a;
    h = activate(a, is_code ? s.code_activation : s.activation).named(is_code ? "code" : name + "/h");
  }

  if (s.variational) {
    const Dense mu = dense_params(g, "mu", sizes.back(), s.code);
    const Dense lv = dense_params(g, "logvar", sizes.back(), s.code);
    m->mu = linear(h, mu.w, mu.b).named("mu");
    m->logvar = linear(h, lv.w, lv.b).named("logvar");
    m->code = reparameterize(m->mu, m->logvar).named("z");
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
    total = add(total, weighted);
  };
  if (s.l1 > 0) penalty("l1", s.l1, l1_activity(m->code));
  if (s.kl_beta > 0) penalty("kl_sparsity", s.kl_beta, kl_sparsity(m->code, s.kl_rho));
  if (s.contractive > 0) penalty("contractive", s.contractive, contractive(code_pre, enc.back().w, s.code_activation));
  if (s.variational) penalty("kl", s.beta, gaussian_kl(m->mu, m->logvar));
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
      enc.push_back(dense_params(g, "enc" + std::to_string(i), sizes[i], sizes[i + 1]));
  }
  Var logits = decode(g, s, d->z, d->label, enc);
  d->recon = activate(logits, s.output).named("x_hat");
  return d;
}

}  // namespace aeg::zoo
