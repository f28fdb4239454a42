// Elementwise functions of one input (activations live in activations.cpp).
#include <cmath>
#include <memory>

#include "engine/ops.hpp"
#include "engine/ops/unary.hpp"

namespace aeg {
namespace {

using detail::UnaryAttr;
using detail::UnaryOp;

struct NegFn {
  static constexpr const char* name = "neg";
  static constexpr bool needs_x = false, needs_y = false;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return -x; }
  template <class T> static T df(T, T, const UnaryAttr&) { return T(-1); }
};
struct AddScalarFn {
  static constexpr const char* name = "add_scalar";
  static constexpr bool needs_x = false, needs_y = false;
  static std::string describe(const UnaryAttr& a) { return "s=" + std::to_string(a.a); }
  template <class T> static T f(T x, const UnaryAttr& a) { return x + static_cast<T>(a.a); }
  template <class T> static T df(T, T, const UnaryAttr&) { return T(1); }
};
struct MulScalarFn {
  static constexpr const char* name = "mul_scalar";
  static constexpr bool needs_x = false, needs_y = false;
  static std::string describe(const UnaryAttr& a) { return "s=" + std::to_string(a.a); }
  template <class T> static T f(T x, const UnaryAttr& a) { return x * static_cast<T>(a.a); }
  template <class T> static T df(T, T, const UnaryAttr& a) { return static_cast<T>(a.a); }
};
struct PowScalarFn {
  static constexpr const char* name = "pow_scalar";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr& a) { return "p=" + std::to_string(a.a); }
  template <class T> static T f(T x, const UnaryAttr& a) {
    if (a.a == 2) return x * x;
    if (a.a == 3) return x * x * x;
    return std::pow(x, static_cast<T>(a.a));
  }
  template <class T> static T df(T x, T, const UnaryAttr& a) {
    if (a.a == 2) return T(2) * x;
    if (a.a == 3) return T(3) * x * x;
    return static_cast<T>(a.a) * std::pow(x, static_cast<T>(a.a - 1));
  }
};
struct ExpFn {
  static constexpr const char* name = "exp";
  static constexpr bool needs_x = false, needs_y = true;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return std::exp(x); }
  template <class T> static T df(T, T y, const UnaryAttr&) { return y; }
};
struct LogFn {
  static constexpr const char* name = "log";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return std::log(x); }
  template <class T> static T df(T x, T, const UnaryAttr&) { return T(1) / x; }
};
struct SqrtFn {
  static constexpr const char* name = "sqrt";
  static constexpr bool needs_x = false, needs_y = true;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return std::sqrt(x); }
  template <class T> static T df(T, T y, const UnaryAttr&) { return T(0.5) / y; }
};
struct SquareFn {
  static constexpr const char* name = "square";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return x * x; }
  template <class T> static T df(T x, T, const UnaryAttr&) { return T(2) * x; }
};
struct AbsFn {
  static constexpr const char* name = "abs";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return std::abs(x); }
  template <class T> static T df(T x, T, const UnaryAttr&) { return x > 0 ? T(1) : x < 0 ? T(-1) : T(0); }
};
struct ClipFn {
  static constexpr const char* name = "clip";
  static constexpr bool needs_x = true, needs_y = false;
  static std::string describe(const UnaryAttr& a) {
    return "lo=" + std::to_string(a.a) + " hi=" + std::to_string(a.b);
  }
  template <class T> static T f(T x, const UnaryAttr& a) {
    return std::min(std::max(x, static_cast<T>(a.a)), static_cast<T>(a.b));
  }
  // The gradient passes where the value is inside the interval (PyTorch's clamp).
  template <class T> static T df(T x, T, const UnaryAttr& a) {
    return (x >= static_cast<T>(a.a) && x <= static_cast<T>(a.b)) ? T(1) : T(0);
  }
};

template <class Fn>
Var apply_unary(Var a, UnaryAttr attr = {}) {
  return a.graph().apply(std::make_shared<UnaryOp<Fn>>(attr), {a});
}

}  // namespace

Var neg(Var a) { return apply_unary<NegFn>(a); }
Var add_scalar(Var a, double s) { return apply_unary<AddScalarFn>(a, {s}); }
Var mul_scalar(Var a, double s) { return apply_unary<MulScalarFn>(a, {s}); }
Var pow_scalar(Var a, double p) { return apply_unary<PowScalarFn>(a, {p}); }
Var exp(Var a) { return apply_unary<ExpFn>(a); }
Var log(Var a) { return apply_unary<LogFn>(a); }
Var sqrt(Var a) { return apply_unary<SqrtFn>(a); }
Var square(Var a) { return apply_unary<SquareFn>(a); }
Var abs(Var a) { return apply_unary<AbsFn>(a); }
Var clip(Var a, double lo, double hi) {
  if (!(lo <= hi))
    throw std::invalid_argument("clip: lo " + std::to_string(lo) + " is above hi " + std::to_string(hi));
  return apply_unary<ClipFn>(a, {lo, hi});
}

}  // namespace aeg
