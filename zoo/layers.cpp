#include "zoo/layers.hpp"

#include "engine/ops.hpp"

namespace aeg::zoo {

Var Dense::operator()(Var h) const { return linear(h, w, b); }

Dense dense(Graph& g, const std::string& name, std::int64_t in, std::int64_t out) {
  const Init init = Init::torch_default(in);
  return {g.param(name + "/W", {out, in}, init), g.param(name + "/b", {out}, init)};
}

Var tied(const Dense& encoder, Var h, Var b) {
  // The product named after the layer ("dec0/Wh" beside "dec0/b"), as traces, drawings and docs/backprop.md show it.
  const std::string bias = b.graph().label(b.id);
  const std::string layer = bias.substr(0, bias.rfind('/'));
  return add(matmul(h, encoder.w).named(layer + "/Wh"), b);
}

Var corrupt(Var x, Noise noise, double level, const TargetRange& range) {
  switch (noise) {
    case Noise::None: return x;
    case Noise::Masking: return masking_noise(x, level);
    case Noise::Gaussian: {
      // Kept within what the model's output can reach: [0, 1] for images, nothing for real data.
      Var noisy = gaussian_noise(x, level);
      return range.bounded() ? clip(noisy, range.lo, range.hi) : noisy;
    }
    case Noise::SaltPepper: return salt_pepper_noise(x, level);
  }
  return x;
}

GaussianCode gaussian_code(Graph& g, Var h, std::int64_t code) {
  const std::int64_t in = h.shape()[1];
  const Dense mu = dense(g, "mu", in, code), lv = dense(g, "logvar", in, code);
  GaussianCode c;
  c.mu = mu(h).named("mu");
  c.logvar = lv(h).named("logvar");
  c.z = reparameterize(c.mu, c.logvar).named("z");
  c.kl = gaussian_kl(c.mu, c.logvar);
  return c;
}

}  // namespace aeg::zoo
