// The contractive penalty, fused: for h = f(a), a = x W^T + b, W (hidden, in),
//   ||J||_F^2 = sum_j f'(a_j)^2 sum_i W_ji^2   per sample, batch mean.
// With s_j = sum_i W_ji^2 and m_j = sum_b f'(a_bj)^2 the value is
// (1/B) sum_j m_j s_j, and the hand-written backward is
//   dL/da_bj = (2/B) f'(a_bj) f''(a_bj) s_j,   dL/dW_ji = (2/B) W_ji m_j.
// aux keeps s (hidden values) then m (hidden values) from forward to backward.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"
#include "engine/ops/loss_util.hpp"

namespace aeg {
namespace {

using detail::kGrain;

// f' and f'' of each activation, with the default slope / alpha of activate().
constexpr double kLeakySlope = 0.01, kEluAlpha = 1.0;

struct IdentityD {
  template <class T> static void d(T, T& d1, T& d2) { d1 = T(1); d2 = T(0); }
};
struct SigmoidD {
  template <class T> static void d(T a, T& d1, T& d2) {
    const T s = a >= 0 ? T(1) / (T(1) + std::exp(-a)) : std::exp(a) / (T(1) + std::exp(a));
    d1 = s * (T(1) - s);
    d2 = d1 * (T(1) - T(2) * s);
  }
};
struct TanhD {
  template <class T> static void d(T a, T& d1, T& d2) {
    const T t = std::tanh(a);
    d1 = T(1) - t * t;
    d2 = T(-2) * t * d1;
  }
};
struct ReluD {
  template <class T> static void d(T a, T& d1, T& d2) { d1 = a > 0 ? T(1) : T(0); d2 = T(0); }
};
struct LeakyReluD {
  template <class T> static void d(T a, T& d1, T& d2) { d1 = a > 0 ? T(1) : static_cast<T>(kLeakySlope); d2 = T(0); }
};
struct EluD {
  template <class T> static void d(T a, T& d1, T& d2) {
    if (a > 0) { d1 = T(1); d2 = T(0); return; }
    d1 = d2 = static_cast<T>(kEluAlpha) * std::exp(a);
  }
};
struct SoftplusD {  // f' = sigmoid
  template <class T> static void d(T a, T& d1, T& d2) {
    d1 = a >= 0 ? T(1) / (T(1) + std::exp(-a)) : std::exp(a) / (T(1) + std::exp(a));
    d2 = d1 * (T(1) - d1);
  }
};

const char* activation_name(Activation f) {
  switch (f) {
    case Activation::Identity: return "identity";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Tanh: return "tanh";
    case Activation::Relu: return "relu";
    case Activation::LeakyRelu: return "leaky_relu";
    case Activation::Elu: return "elu";
    case Activation::Softplus: return "softplus";
  }
  return nullptr;
}

// Calls k(D{}) with the derivative struct of f.
template <class K>
void with_activation(Activation f, K&& k) {
  switch (f) {
    case Activation::Identity: k(IdentityD{}); return;
    case Activation::Sigmoid: k(SigmoidD{}); return;
    case Activation::Tanh: k(TanhD{}); return;
    case Activation::Relu: k(ReluD{}); return;
    case Activation::LeakyRelu: k(LeakyReluD{}); return;
    case Activation::Elu: k(EluD{}); return;
    case Activation::Softplus: k(SoftplusD{}); return;
  }
  throw std::invalid_argument("contractive: unsupported activation");
}

class Contractive : public OpImpl<Contractive> {
 public:
  explicit Contractive(Activation f) : f_(f) {}
  std::string_view name() const override { return "contractive"; }
  std::string attrs() const override { return std::string("f=") + activation_name(f_); }
  Shape infer(const std::vector<Shape>& in) const override {
    if (!activation_name(f_))
      throw std::invalid_argument("activation #" + std::to_string(static_cast<int>(f_)) +
                                  " is not supported (use identity, sigmoid, tanh, relu, leaky_relu, elu or softplus)");
    detail::check_arity(in, 2);
    const Shape &a = in[0], &w = in[1];
    if (a.size() != 2)
      throw std::invalid_argument("a has shape " + to_string(a) + " but must be (batch, hidden)");
    if (w.size() != 2)
      throw std::invalid_argument("W has shape " + to_string(w) + " but must be (hidden, in)");
    if (a[1] != w[0])
      throw std::invalid_argument("a has shape " + to_string(a) + " but W has shape " + to_string(w) +
                                  ": W's rows must equal a's columns");
    detail::check_batched("a", a);
    return Shape{};
  }
  Saves saves() const override { return {true, false}; }
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape&) const override { return 2 * in[0][1]; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t B = (*c.in_shape[0])[0], H = (*c.in_shape[0])[1], I = (*c.in_shape[1])[1];
    const T* a = c.in[0];
    const T* w = c.in[1];
    T* s = c.aux;
    T* m = c.aux + H;
    c.par->for_range(H, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(I, 1)), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t j = lo; j < hi; ++j) {
        double acc = 0;
        for (std::int64_t i = 0; i < I; ++i) acc += static_cast<double>(w[j * I + i]) * static_cast<double>(w[j * I + i]);
        s[j] = static_cast<T>(acc);
      }
    });
    with_activation(f_, [&](auto D) {
      using Deriv = decltype(D);
      detail::column_sums(
          *c.par, B, H,
          [&](std::int64_t b, std::int64_t j) {
            T d1, d2;
            Deriv::d(a[b * H + j], d1, d2);
            return static_cast<double>(d1) * static_cast<double>(d1);
          },
          [&](std::int64_t j, double v) { m[j] = static_cast<T>(v); });
    });
    const double total = c.par->template sum<double>(H, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      double acc = 0;
      for (std::int64_t j = lo; j < hi; ++j) acc += static_cast<double>(m[j]) * static_cast<double>(s[j]);
      return acc;
    });
    c.out[0] = static_cast<T>(total / static_cast<double>(B));
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    const std::int64_t B = (*c.in_shape[0])[0], H = (*c.in_shape[0])[1], I = (*c.in_shape[1])[1];
    const T* a = c.in[0];
    const T* w = c.in[1];
    const T* s = c.aux;
    const T* m = c.aux + H;
    const T g2 = T(2) * c.gout[0] / static_cast<T>(B);
    if (T* ga = c.gin[0]) {
      with_activation(f_, [&](auto D) {
        using Deriv = decltype(D);
        c.par->for_range(B * H, kGrain, [&](std::int64_t lo, std::int64_t hi) {
          for (std::int64_t k = lo; k < hi; ++k) {
            T d1, d2;
            Deriv::d(a[k], d1, d2);
            ga[k] += g2 * d1 * d2 * s[k % H];
          }
        });
      });
    }
    if (T* gw = c.gin[1]) {
      c.par->for_range(H * I, kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t k = lo; k < hi; ++k) gw[k] += g2 * w[k] * m[k / I];
      });
    }
  }

 private:
  Activation f_;
};

}  // namespace

Var contractive(Var a, Var w, Activation f) {
  if (a.g != w.g) throw std::invalid_argument("contractive: a and W from two different graphs");
  return a.graph().apply(std::make_shared<Contractive>(f), {a, w});
}

}  // namespace aeg
