// relu's value and derivative, shared by the relu node (activations.cpp) and
// the ReLU fused into conv2d_relu / conv_transpose2d_relu, so that both give
// the same bits. Internal to engine/ops.
#pragma once
#include <cstdint>
#include <string>

#include "engine/ops/unary.hpp"

namespace aeg::detail {

// The derivative at the kink 0 is taken as 0 (PyTorch's convention).
struct ReluFn {
  static constexpr const char* name = "relu";
  static constexpr bool needs_x = false, needs_y = true;
  static std::string describe(const UnaryAttr&) { return {}; }
  template <class T> static T f(T x, const UnaryAttr&) { return x < T(0) ? T(0) : x; }  // NaN passes
  template <class T> static T df(T, T y, const UnaryAttr&) { return y > T(0) ? T(1) : T(0); }
};

// A fused ReLU on one sample's output: y = relu(y) in place.
template <class T>
void relu_in_place(T* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = ReluFn::f(y[i], {});
}

// The gradient through that ReLU, gm = gy * relu'(y): the product the relu node forms.
template <class T>
void relu_grad(const T* __restrict gy, const T* __restrict y, std::int64_t n, T* __restrict gm) {
  for (std::int64_t i = 0; i < n; ++i) gm[i] = gy[i] * ReluFn::df(T(0), y[i], {});
}

}  // namespace aeg::detail
