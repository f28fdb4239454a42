// Random ops. They draw from the executor's seeded generator one element at a
// time in element order, so the noise depends on the seed only (never on the
// thread count), and gradient checks replay it by restoring the generator.
// The corruptions are the identity in evaluation plans (c.training false);
// reparameterize samples in every plan.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"
#include "engine/ops/loss_util.hpp"
#include "engine/rng.hpp"

namespace aeg {
namespace {

using detail::kGrain;

enum class NoiseKind { Gaussian, Masking, SaltPepper };

// aux (masking, salt-and-pepper): 1 where the input was kept, 0 where it was
// replaced; the gradient is multiplied by it. Gaussian noise is additive, so
// its gradient passes through and it keeps nothing.
class NoiseOp : public OpImpl<NoiseOp> {
 public:
  NoiseOp(NoiseKind k, double p) : k_(k), p_(p) {}
  std::string_view name() const override {
    switch (k_) {
      case NoiseKind::Gaussian: return "gaussian_noise";
      case NoiseKind::Masking: return "masking_noise";
      case NoiseKind::SaltPepper: return "salt_pepper_noise";
    }
    return "?";
  }
  std::string attrs() const override {
    return (k_ == NoiseKind::Gaussian ? "sigma=" : "rate=") + std::to_string(p_);
  }
  Shape infer(const std::vector<Shape>& in) const override {
    detail::check_arity(in, 1);
    return in[0];
  }
  Saves saves() const override { return {false, false}; }
  std::int64_t aux_size(const std::vector<Shape>&, const Shape& out) const override {
    return k_ == NoiseKind::Gaussian ? 0 : numel(out);
  }
  bool is_random() const override { return true; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const T* x = c.in[0];
    T* y = c.out;
    const std::int64_t n = c.out_size();
    if (!c.training) {
      detail::unary(*c.par, x, y, n, [](T v) { return v; });
      return;
    }
    Rng& rng = *c.rng;
    T* keep = c.aux;
    switch (k_) {
      case NoiseKind::Gaussian:
        for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] + static_cast<T>(p_ * rng.normal());
        break;
      case NoiseKind::Masking:
        for (std::int64_t i = 0; i < n; ++i) {
          const bool k = rng.uniform() >= p_;
          keep[i] = k ? T(1) : T(0);
          y[i] = k ? x[i] : T(0);
        }
        break;
      case NoiseKind::SaltPepper:
        // One draw per element: u < rate/2 -> 0 (pepper), u < rate -> 1 (salt).
        for (std::int64_t i = 0; i < n; ++i) {
          const double u = rng.uniform();
          const bool k = u >= p_;
          keep[i] = k ? T(1) : T(0);
          y[i] = k ? x[i] : (u < 0.5 * p_ ? T(0) : T(1));
        }
        break;
    }
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    T* gx = c.gin[0];
    if (!gx) return;
    const T* g = c.gout;
    const std::int64_t n = c.out_size();
    if (!c.training || k_ == NoiseKind::Gaussian) {
      c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i) gx[i] += g[i];
      });
      return;
    }
    const T* keep = c.aux;
    c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) gx[i] += g[i] * keep[i];
    });
  }

 private:
  NoiseKind k_;
  double p_;
};

// z = mu + exp(logvar / 2) * eps; aux keeps eps.
class Reparameterize : public OpImpl<Reparameterize> {
 public:
  std::string_view name() const override { return "reparameterize"; }
  Shape infer(const std::vector<Shape>& in) const override {
    detail::check_arity(in, 2);
    detail::check_same("mu", in[0], "logvar", in[1]);
    return in[0];
  }
  Saves saves() const override { return {true, false}; }
  std::int64_t aux_size(const std::vector<Shape>&, const Shape& out) const override { return numel(out); }
  bool is_random() const override { return true; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t n = c.out_size();
    T* eps = c.aux;
    Rng& rng = *c.rng;
    for (std::int64_t i = 0; i < n; ++i) eps[i] = static_cast<T>(rng.normal());
    const T* mu = c.in[0];
    const T* lv = c.in[1];
    T* z = c.out;
    c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) z[i] = mu[i] + std::exp(lv[i] / T(2)) * eps[i];
    });
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    const std::int64_t n = c.out_size();
    const T* g = c.gout;
    const T* eps = c.aux;
    if (T* gmu = c.gin[0]) {
      c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i) gmu[i] += g[i];
      });
    }
    if (T* glv = c.gin[1]) {
      const T* lv = c.in[1];
      c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i) glv[i] += g[i] * eps[i] * T(0.5) * std::exp(lv[i] / T(2));
      });
    }
  }
};

Var noise(NoiseKind k, Var x, double p) { return x.graph().apply(std::make_shared<NoiseOp>(k, p), {x}); }

}  // namespace

Var gaussian_noise(Var x, double sigma) {
  if (!(sigma >= 0 && std::isfinite(sigma)))
    throw std::invalid_argument("gaussian_noise: sigma " + std::to_string(sigma) + " must be finite and >= 0");
  return noise(NoiseKind::Gaussian, x, sigma);
}

Var masking_noise(Var x, double rate) {
  if (!(rate >= 0 && rate <= 1))
    throw std::invalid_argument("masking_noise: rate " + std::to_string(rate) + " is outside [0, 1]");
  return noise(NoiseKind::Masking, x, rate);
}

Var salt_pepper_noise(Var x, double rate) {
  if (!(rate >= 0 && rate <= 1))
    throw std::invalid_argument("salt_pepper_noise: rate " + std::to_string(rate) + " is outside [0, 1]");
  return noise(NoiseKind::SaltPepper, x, rate);
}

Var reparameterize(Var mu, Var logvar) {
  if (mu.g != logvar.g) throw std::invalid_argument("reparameterize: mu and logvar from two different graphs");
  return mu.graph().apply(std::make_shared<Reparameterize>(), {mu, logvar});
}

}  // namespace aeg
