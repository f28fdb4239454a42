// Losses and penalties: 0-d values, the mean over the batch (axis 0) of a
// per-sample sum (except kl_sparsity, the KL of the batch-mean activation).
// Reductions add fixed chunks in a fixed order, accumulating in double, so the
// value is bitwise the same for any thread count. The contractive penalty is in
// contractive.cpp.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "engine/kernels/isa/kernels.hpp"
#include "engine/kernels/lane_sum.hpp"
#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"
#include "engine/ops/grad_write.hpp"
#include "engine/ops/loss_util.hpp"

namespace aeg {
namespace {

using detail::kGrain;

// ---- pointwise losses: the batch mean of sum_i term(a_i, b_i)
// Each Fn gives the term and its partial derivatives w.r.t. both inputs
// (only da for one-input losses).

struct BceFn {
  static constexpr const char* name = "bce";
  static constexpr int arity = 2;
  static constexpr const char* names[2] = {"p", "x"};
  double eps;
  std::string describe() const { return "eps=" + std::to_string(eps); }
  template <class T> T lo() const { return static_cast<T>(eps); }
  template <class T> T hi() const { return T(1) - static_cast<T>(eps); }
  template <class T> T clamp(T p) const { return std::min(std::max(p, lo<T>()), hi<T>()); }
  template <class T> T value(T p, T x) const {
    const T q = clamp(p);
    return -(x * std::log(q) + (T(1) - x) * std::log(T(1) - q));
  }
  // Zero where p was clamped (PyTorch's clamp passes the gradient on the bounds).
  template <class T> T da(T p, T x) const {
    if (!(p >= lo<T>() && p <= hi<T>())) return T(0);
    return -x / p + (T(1) - x) / (T(1) - p);
  }
  template <class T> T db(T p, T) const {
    const T q = clamp(p);
    return std::log(T(1) - q) - std::log(q);
  }
};

struct BceLogitsFn {
  static constexpr const char* name = "bce_with_logits";
  static constexpr int arity = 2;
  static constexpr const char* names[2] = {"logits", "x"};
  std::string describe() const { return {}; }
  template <class T> T value(T l, T x) const {
    return std::max(l, T(0)) - l * x + std::log1p(std::exp(-std::abs(l)));
  }
  template <class T> T da(T l, T x) const {
    const T s = l >= 0 ? T(1) / (T(1) + std::exp(-l)) : std::exp(l) / (T(1) + std::exp(l));
    return s - x;
  }
  template <class T> T db(T l, T) const { return -l; }
};

struct MseFn {
  static constexpr const char* name = "mse";
  static constexpr int arity = 2;
  static constexpr const char* names[2] = {"y", "x"};
  std::string describe() const { return {}; }
  template <class T> T value(T y, T x) const { return T(0.5) * (y - x) * (y - x); }
  template <class T> T da(T y, T x) const { return y - x; }
  template <class T> T db(T y, T x) const { return x - y; }
};

struct GaussianKlFn {
  static constexpr const char* name = "gaussian_kl";
  static constexpr int arity = 2;
  static constexpr const char* names[2] = {"mu", "logvar"};
  std::string describe() const { return {}; }
  template <class T> T value(T mu, T lv) const { return T(-0.5) * (T(1) + lv - mu * mu - std::exp(lv)); }
  template <class T> T da(T mu, T) const { return mu; }
  template <class T> T db(T, T lv) const { return T(0.5) * (std::exp(lv) - T(1)); }
};

struct L1Fn {
  static constexpr const char* name = "l1_activity";
  static constexpr int arity = 1;
  static constexpr const char* names[2] = {"h", ""};
  std::string describe() const { return {}; }
  template <class T> T value(T h, T) const { return std::abs(h); }
  template <class T> T da(T h, T) const { return h > 0 ? T(1) : h < 0 ? T(-1) : T(0); }
  template <class T> T db(T, T) const { return T(0); }
};

template <class Fn>
class PointwiseLoss : public OpImpl<PointwiseLoss<Fn>> {
  // Float BCE with logits runs the libmvec kernels; double keeps the scalar
  // reference formulas above, which the gradient checks compare against.
  template <class T>
  static constexpr bool kVectorBce = std::is_same_v<Fn, BceLogitsFn> && std::is_same_v<T, float>;

 public:
  explicit PointwiseLoss(Fn fn = {}) : fn_(fn) {}
  std::string_view name() const override { return Fn::name; }
  std::string attrs() const override { return fn_.describe(); }
  Shape infer(const std::vector<Shape>& in) const override {
    detail::check_arity(in, Fn::arity);
    detail::check_batched(Fn::names[0], in[0]);
    if constexpr (Fn::arity == 2) detail::check_same(Fn::names[0], in[0], Fn::names[1], in[1]);
    return Shape{};
  }
  Saves saves() const override { return {true, false}; }
  bool assigns_grads() const override { return true; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const T* a = c.in[0];
    const T* b = Fn::arity == 2 ? c.in[1] : nullptr;
    const double total = c.par->template sum<double>(c.in_size(0), kGrain, [&](std::int64_t lo, std::int64_t hi) {
      if constexpr (kVectorBce<T>) {
        return detail::kernels().bce_logits_sum(a + lo, b + lo, hi - lo);
      } else {
        return detail::lane_sum_of<double>(lo, hi, [&](std::int64_t i) { return fn_.value(a[i], b ? b[i] : T(0)); });
      }
    });
    c.out[0] = static_cast<T>(total / static_cast<double>((*c.in_shape[0])[0]));
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    const T* a = c.in[0];
    const T* b = Fn::arity == 2 ? c.in[1] : nullptr;
    const T g = c.gout[0] / static_cast<T>((*c.in_shape[0])[0]);
    const std::int64_t n = c.in_size(0);
    if (T* ga = c.gin[0]) {
      detail::with_grad_write(c.fresh_grad(0), [&](auto assign) {
        c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
          if constexpr (kVectorBce<T>)
            detail::kernels().bce_logits_grad(a + lo, b + lo, g, assign, ga + lo, hi - lo);
          else
            for (std::int64_t i = lo; i < hi; ++i)
              detail::write_grad<decltype(assign)::value>(ga[i], g * fn_.da(a[i], b ? b[i] : T(0)));
        });
      });
    }
    if constexpr (Fn::arity == 2) {
      if (T* gb = c.gin[1]) {
        detail::with_grad_write(c.fresh_grad(1), [&](auto assign) {
          c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t i = lo; i < hi; ++i) detail::write_grad<decltype(assign)::value>(gb[i], g * fn_.db(a[i], b[i]));
          });
        });
      }
    }
  }

 private:
  Fn fn_;
};

// ---- kl_sparsity: sum_j KL(rho || rho_hat_j), rho_hat_j the batch mean of h_j.
// aux holds the unclamped rho_hat (one per feature) from forward to backward.
//
// kl_sparsity_given_mean: the same penalty linearised at a mean m given as a
// second input ([features]; data-parallel training feeds the whole batch's mean
// to each block of it): sum_j KL(rho || m_j) + KL'(m_j) (rho_hat_j - m_j), with
// KL' the derivative in the mean (0 where m_j is clamped). Linear in h, its
// gradient is KL'(m_j) / rows for every row: the plain op's at mean m. With m
// rho_hat itself (as the plain op rounds it) the second term is exactly 0, and
// value and gradient are the plain op's bits. No gradient flows to m. aux holds
// m, then rho_hat.
constexpr double kRhoLo = 1e-7, kRhoHi = 1 - 1e-7;

class KlSparsity : public OpImpl<KlSparsity> {
 public:
  KlSparsity(double rho, bool given_mean) : rho_(rho), given_(given_mean) {}
  std::string_view name() const override { return given_ ? "kl_sparsity_given_mean" : "kl_sparsity"; }
  RowCoupling row_coupling() const override { return given_ ? RowCoupling::GivenBatchStatistic : RowCoupling::BatchStatistic; }
  std::string attrs() const override { return "rho=" + std::to_string(rho_); }
  Shape infer(const std::vector<Shape>& in) const override {
    detail::check_arity(in, given_ ? 2 : 1);
    detail::check_batched("h", in[0]);
    if (given_) {
      const Shape want{numel(in[0]) / in[0][0]};
      if (in[1] != want)
        throw std::invalid_argument("the mean has shape " + to_string(in[1]) + " but h of shape " + to_string(in[0]) +
                                    " needs " + to_string(want) + " (one value per feature)");
    }
    return Shape{};
  }
  Saves saves() const override { return {false, false}; }  // backward reads aux only
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape&) const override {
    return (given_ ? 2 : 1) * (numel(in[0]) / in[0][0]);
  }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t B = (*c.in_shape[0])[0];
    const std::int64_t H = c.in_size(0) / B;
    T* rh = c.aux;                     // the mean the penalty is taken at
    T* own = given_ ? c.aux + H : rh;  // h's own batch mean
    if (given_) std::copy(c.in[1], c.in[1] + H, rh);
    detail::column_sums(*c.par, B, H, [&](std::int64_t b, std::int64_t j) { return static_cast<double>(c.in[0][b * H + j]); },
                        [&](std::int64_t j, double s) { own[j] = static_cast<T>(s / static_cast<double>(B)); });
    const double rho = rho_;
    const bool given = given_;
    const double total = c.par->template sum<double>(H, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      double s = 0;
      for (std::int64_t j = lo; j < hi; ++j) {
        const double m = static_cast<double>(rh[j]);
        const double q = std::min(std::max(m, kRhoLo), kRhoHi);
        double v = rho * std::log(rho / q) + (1 - rho) * std::log((1 - rho) / (1 - q));
        if (given && m >= kRhoLo && m <= kRhoHi)
          v += (-rho / q + (1 - rho) / (1 - q)) * (static_cast<double>(own[j]) - m);
        s += v;
      }
      return s;
    });
    c.out[0] = static_cast<T>(total);
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    T* gh = c.gin[0];
    if (!gh) return;
    const std::int64_t B = (*c.in_shape[0])[0];
    const std::int64_t H = c.in_size(0) / B;
    const double g = static_cast<double>(c.gout[0]) / static_cast<double>(B);
    const double rho = rho_;
    const T* rh = c.aux;
    c.par->for_range(B, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(H, 1)), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t b = lo; b < hi; ++b)
        for (std::int64_t j = 0; j < H; ++j) {
          const double q = static_cast<double>(rh[j]);
          if (!(q >= kRhoLo && q <= kRhoHi)) continue;  // clamped: no gradient
          gh[b * H + j] += static_cast<T>(g * (-rho / q + (1 - rho) / (1 - q)));
        }
    });
  }

 private:
  double rho_;
  bool given_;
};

void same_graph(const char* op, Var a, Var b) {
  if (a.g != b.g) throw std::invalid_argument(std::string(op) + ": inputs from two different graphs");
}

}  // namespace

Var bce(Var p, Var x, double eps) {
  if (!(eps >= 0 && eps < 0.5))
    throw std::invalid_argument("bce: eps " + std::to_string(eps) + " is outside [0, 0.5)");
  same_graph("bce", p, x);
  return p.graph().apply(std::make_shared<PointwiseLoss<BceFn>>(BceFn{eps}), {p, x});
}

Var bce_with_logits(Var logits, Var x) {
  same_graph("bce_with_logits", logits, x);
  return logits.graph().apply(std::make_shared<PointwiseLoss<BceLogitsFn>>(), {logits, x});
}

Var mse(Var y, Var x) {
  same_graph("mse", y, x);
  return y.graph().apply(std::make_shared<PointwiseLoss<MseFn>>(), {y, x});
}

Var l1_activity(Var h) { return h.graph().apply(std::make_shared<PointwiseLoss<L1Fn>>(), {h}); }

Var gaussian_kl(Var mu, Var logvar) {
  same_graph("gaussian_kl", mu, logvar);
  return mu.graph().apply(std::make_shared<PointwiseLoss<GaussianKlFn>>(), {mu, logvar});
}

Var kl_sparsity(Var h, double rho) {
  if (!(rho > 0 && rho < 1))
    throw std::invalid_argument("kl_sparsity: rho " + std::to_string(rho) + " is outside (0, 1)");
  return h.graph().apply(std::make_shared<KlSparsity>(rho, false), {h});
}

Var kl_sparsity(Var h, double rho, Var mean) {
  if (!(rho > 0 && rho < 1))
    throw std::invalid_argument("kl_sparsity: rho " + std::to_string(rho) + " is outside (0, 1)");
  same_graph("kl_sparsity", h, mean);
  return h.graph().apply(std::make_shared<KlSparsity>(rho, true), {h, mean});
}

}  // namespace aeg
