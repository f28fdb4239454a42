// The conv kernels as the ops call them: float through the build for this CPU
// (engine/kernels/isa/kernels.hpp: AVX-512 or the x86-64-v3 baseline), double (the
// gradient checks) through the portable templates. Internal to engine/ops.
#pragma once
#include <cstdint>
#include <type_traits>

#include "engine/kernels/conv_direct.hpp"
#include "engine/kernels/im2col.hpp"
#include "engine/kernels/isa/kernels.hpp"

namespace aeg::detail::dispatch {

template <class T>
void im2col(const ConvGeom& g, const T* img, T* col, T* scratch, const std::int32_t* off) {
  if constexpr (std::is_same_v<T, float>)
    kernels().im2col(g, img, col, scratch, off);
  else
    detail::im2col(g, img, col, scratch, off);
}

template <class T>
void col2im(const ConvGeom& g, const T* col, T* scratch, const std::int32_t* off, bool assign, T* img) {
  if constexpr (std::is_same_v<T, float>)
    kernels().col2im(g, col, scratch, off, assign, img);
  else
    detail::col2im(g, col, scratch, off, assign, img);
}

template <class T>
void direct_conv_fwd(const ConvGeom& g, std::int64_t O, const T* img, const T* w, const T* b, T* out) {
  if constexpr (std::is_same_v<T, float>)
    kernels().direct_conv_fwd(g, O, img, w, b, out);
  else
    detail::direct_conv_fwd(g, O, img, w, b, out);
}

template <class T>
void direct_conv_dw(const ConvGeom& g, std::int64_t O, const T* gy, const T* img, bool first, T* dw) {
  if constexpr (std::is_same_v<T, float>)
    kernels().direct_conv_dw(g, O, gy, img, first, dw);
  else
    detail::direct_conv_dw(g, O, gy, img, first, dw);
}

template <class T>
void direct_conv_dx(const ConvGeom& g, std::int64_t O, const T* w, const T* gy, T* dimg) {
  if constexpr (std::is_same_v<T, float>)
    kernels().direct_conv_dx(g, O, w, gy, dimg);
  else
    detail::direct_conv_dx(g, O, w, gy, dimg);
}

}  // namespace aeg::detail::dispatch
