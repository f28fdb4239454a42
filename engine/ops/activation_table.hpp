// The activations, one row each: its enumerator and name, f and its derivative
// (the elementwise op, detail::UnaryOp<Row>), f' and f'' at the pre-activation a
// (the contractive penalty), the range of f's values and its parameter's name and
// default. Everything reads these rows: the ops (activations.cpp), the contractive
// penalty, the names parsed and printed (engine/activation.hpp, the spec, the apps'
// help), the targets a model's output can reach, and the registry's sweep.
// Adding an activation: its enumerator in engine/activation.hpp, its row here, and
// the row's name in ActivationRows at the end. Internal to engine/ops.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/activation.hpp"
#include "engine/kernels/isa/kernels.hpp"
#include "engine/ops/relu.hpp"
#include "engine/ops/unary.hpp"

namespace aeg::detail::act {

inline constexpr double inf = std::numeric_limits<double>::infinity();

// What every row shares: no parameter and no aliases unless it says so, and the
// op's attribute text ("slope=0.010000") from its parameter's name.
template <class R>
struct Row {
  static constexpr const char* param_name = "";
  static constexpr double param = 0;
  static constexpr const char* aliases = "";  // comma-separated
  static std::string describe(const UnaryAttr& a) {
    return *R::param_name ? std::string(R::param_name) + "=" + std::to_string(a.a) : std::string();
  }
};

// 1 / (1 + e^-x) without overflow: exp of a non-positive number only.
template <class T>
T stable_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

struct Identity : Row<Identity> {
  static constexpr Activation id = Activation::Identity;
  static constexpr const char* name = "identity";
  static constexpr const char* aliases = "linear,none";
  static constexpr double lo = -inf, hi = inf;
  static constexpr bool needs_x = false, needs_y = false;
  template <class T> static T f(T x, const UnaryAttr&) { return x; }
  template <class T> static T df(T, T, const UnaryAttr&) { return T(1); }
  template <class T> static void d12(T, double, T& d1, T& d2) { d1 = T(1); d2 = T(0); }
};

struct Sigmoid : Row<Sigmoid> {
  static constexpr Activation id = Activation::Sigmoid;
  static constexpr const char* name = "sigmoid";
  static constexpr double lo = 0, hi = 1;
  static constexpr bool needs_x = false, needs_y = true;
  template <class T> static T f(T x, const UnaryAttr&) { return stable_sigmoid(x); }
  template <class T> static T df(T, T y, const UnaryAttr&) { return y * (T(1) - y); }
  template <class T> static void d12(T a, double, T& d1, T& d2) {
    const T s = stable_sigmoid(a);
    d1 = s * (T(1) - s);
    d2 = d1 * (T(1) - T(2) * s);
  }
  // The same formula on 16 lanes of libmvec's expf: scalar expf was 7 % of W1's step.
  static void f_float(const float* x, float* y, std::int64_t n) { kernels().sigmoid_values(x, y, n); }
};

struct Tanh : Row<Tanh> {
  static constexpr Activation id = Activation::Tanh;
  static constexpr const char* name = "tanh";
  static constexpr double lo = -1, hi = 1;
  static constexpr bool needs_x = false, needs_y = true;
  template <class T> static T f(T x, const UnaryAttr&) { return std::tanh(x); }
  template <class T> static T df(T, T y, const UnaryAttr&) { return T(1) - y * y; }
  template <class T> static void d12(T a, double, T& d1, T& d2) {
    const T t = std::tanh(a);
    d1 = T(1) - t * t;
    d2 = T(-2) * t * d1;
  }
};

// f and f' are ReluFn's, which the ReLU fused into the conv ops shares (same bits).
struct Relu : Row<Relu> {
  static constexpr Activation id = Activation::Relu;
  static constexpr const char* name = ReluFn::name;
  static constexpr double lo = 0, hi = inf;
  static constexpr bool needs_x = ReluFn::needs_x, needs_y = ReluFn::needs_y;
  template <class T> static T f(T x, const UnaryAttr& a) { return ReluFn::f(x, a); }
  template <class T> static T df(T x, T y, const UnaryAttr& a) { return ReluFn::df(x, y, a); }
  template <class T> static void d12(T a, double, T& d1, T& d2) { d1 = a > 0 ? T(1) : T(0); d2 = T(0); }
};

// The slope applies for x <= 0 (of any sign, so the derivative reads x, not y).
struct LeakyRelu : Row<LeakyRelu> {
  static constexpr Activation id = Activation::LeakyRelu;
  static constexpr const char* name = "leaky_relu";
  static constexpr const char* param_name = "slope";
  static constexpr double param = 0.01;
  static constexpr double lo = -inf, hi = inf;
  static constexpr bool needs_x = true, needs_y = false;
  template <class T> static T f(T x, const UnaryAttr& a) { return x > T(0) ? x : static_cast<T>(a.a) * x; }
  template <class T> static T df(T x, T, const UnaryAttr& a) { return x > T(0) ? T(1) : static_cast<T>(a.a); }
  template <class T> static void d12(T a, double p, T& d1, T& d2) { d1 = a > 0 ? T(1) : static_cast<T>(p); d2 = T(0); }
};

// x for x > 0, alpha (e^x - 1) otherwise.
struct Elu : Row<Elu> {
  static constexpr Activation id = Activation::Elu;
  static constexpr const char* name = "elu";
  static constexpr const char* param_name = "alpha";
  static constexpr double param = 1.0;
  static constexpr double lo = -1, hi = inf;  // -alpha for the default alpha
  static constexpr bool needs_x = true, needs_y = false;
  template <class T> static T f(T x, const UnaryAttr& a) { return x > T(0) ? x : static_cast<T>(a.a) * std::expm1(x); }
  template <class T> static T df(T x, T, const UnaryAttr& a) { return x > T(0) ? T(1) : static_cast<T>(a.a) * std::exp(x); }
  template <class T> static void d12(T a, double p, T& d1, T& d2) {
    if (a > 0) {
      d1 = T(1);
      d2 = T(0);
      return;
    }
    d1 = d2 = static_cast<T>(p) * std::exp(a);
  }
};

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|); its derivative is sigmoid(x).
struct Softplus : Row<Softplus> {
  static constexpr Activation id = Activation::Softplus;
  static constexpr const char* name = "softplus";
  static constexpr double lo = 0, hi = inf;
  static constexpr bool needs_x = true, needs_y = false;
  template <class T> static T f(T x, const UnaryAttr&) { return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::abs(x))); }
  template <class T> static T df(T x, T, const UnaryAttr&) { return stable_sigmoid(x); }
  template <class T> static void d12(T a, double, T& d1, T& d2) {
    d1 = stable_sigmoid(a);
    d2 = d1 * (T(1) - d1);
  }
};

template <class... R>
struct RowList {};
using ActivationRows = RowList<Identity, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus>;

// Calls k(Row{}) with the row of f; throws for a value outside the enumeration.
template <class K, class... R>
void with_row(Activation f, K&& k, RowList<R...>) {
  const bool found = ((R::id == f ? (k(R{}), true) : false) || ...);
  if (!found)
    throw std::invalid_argument("activation #" + std::to_string(static_cast<int>(f)) + " is not one of " +
                                activation_names());
}
template <class K>
void with_activation(Activation f, K&& k) {
  with_row(f, k, ActivationRows{});
}

}  // namespace aeg::detail::act
