// Elementwise activations, each a function struct for detail::UnaryOp: f(x)
// and its derivative df(x, y) with y = f(x), in numerically stable forms.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/ops.hpp"
#include "engine/isa/kernels.hpp"
#include "engine/ops/relu.hpp"
#include "engine/ops/unary.hpp"

namespace aeg {
namespace {

using detail::ReluFn;
using detail::UnaryAttr;
using detail::UnaryOp;

// 1 / (1 + e^-x) without overflow: exp of a non-positive number only.
template <class T>
T stable_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

struct SigmoidFn {
  static constexpr const char* name = "sigmoid";
  static constexpr bool needs_x = false, needs_y = true;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return stable_sigmoid(x); }
  template <class T> static T df(T, T y, const UnaryAttr&) { return y * (T(1) - y); }
  // The same formula on 16 lanes of libmvec's expf: scalar expf was 7 % of W1's step.
  static void f_float(const float* x, float* y, std::int64_t n) { detail::kernels().sigmoid_values(x, y, n); }
};
struct TanhFn {
  static constexpr const char* name = "tanh";
  static constexpr bool needs_x = false, needs_y = true;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return std::tanh(x); }
  template <class T> static T df(T, T y, const UnaryAttr&) { return T(1) - y * y; }
};
// a.a = slope for x <= 0 (any sign, so the derivative reads x, not y).
struct LeakyReluFn {
  static constexpr const char* name = "leaky_relu";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr& a) { return "slope=" + std::to_string(a.a); }
  template <class T> static T f(T x, const UnaryAttr& a) { return x > T(0) ? x : static_cast<T>(a.a) * x; }
  template <class T> static T df(T x, T, const UnaryAttr& a) { return x > T(0) ? T(1) : static_cast<T>(a.a); }
};
// a.a = alpha: x for x > 0, alpha (e^x - 1) otherwise.
struct EluFn {
  static constexpr const char* name = "elu";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr& a) { return "alpha=" + std::to_string(a.a); }
  template <class T> static T f(T x, const UnaryAttr& a) {
    return x > T(0) ? x : static_cast<T>(a.a) * std::expm1(x);
  }
  template <class T> static T df(T x, T, const UnaryAttr& a) {
    return x > T(0) ? T(1) : static_cast<T>(a.a) * std::exp(x);
  }
};
// log(1 + e^x) = max(x, 0) + log1p(e^-|x|); its derivative is sigmoid(x).
struct SoftplusFn {
  static constexpr const char* name = "softplus";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) {
    return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::abs(x)));
  }
  template <class T> static T df(T x, T, const UnaryAttr&) { return stable_sigmoid(x); }
};
struct IdentityFn {
  static constexpr const char* name = "identity";
  static constexpr bool needs_x = false, needs_y = false;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return x; }
  template <class T> static T df(T, T, const UnaryAttr&) { return T(1); }
};

template <class Fn>
Var apply_unary(Var a, UnaryAttr attr = {}) {
  return a.graph().apply(std::make_shared<UnaryOp<Fn>>(attr), {a});
}

void check_finite(const char* op, const char* what, double v) {
  if (!std::isfinite(v))
    throw std::invalid_argument(std::string(op) + ": " + what + " must be finite, got " + std::to_string(v));
}

}  // namespace

Var sigmoid(Var a) { return apply_unary<SigmoidFn>(a); }
Var tanh(Var a) { return apply_unary<TanhFn>(a); }
Var relu(Var a) { return apply_unary<ReluFn>(a); }
Var leaky_relu(Var a, double slope) {
  check_finite("leaky_relu", "slope", slope);
  return apply_unary<LeakyReluFn>(a, {slope});
}
Var elu(Var a, double alpha) {
  check_finite("elu", "alpha", alpha);
  return apply_unary<EluFn>(a, {alpha});
}
Var softplus(Var a) { return apply_unary<SoftplusFn>(a); }
Var identity(Var a) { return apply_unary<IdentityFn>(a); }

Var activate(Var a, Activation f) {
  switch (f) {
    case Activation::Identity: return identity(a);
    case Activation::Sigmoid: return sigmoid(a);
    case Activation::Tanh: return tanh(a);
    case Activation::Relu: return relu(a);
    case Activation::LeakyRelu: return leaky_relu(a, 0.01);
    case Activation::Elu: return elu(a, 1.0);
    case Activation::Softplus: return softplus(a);
  }
  throw std::invalid_argument("activate: unknown activation " + std::to_string(static_cast<int>(f)));
}

}  // namespace aeg
