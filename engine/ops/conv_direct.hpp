// Direct stride-1 convolution of one sample, for layers with very few output
// channels (a decoder's last conv 16 -> 1). There im2col + GEMM is a GEMV over
// a column matrix written to memory and read back once; the direct form does
// the same multiply-adds on image rows that stay in cache. Internal to
// engine/ops; each function is sequential, so its order of additions is fixed.
//
// w is (O, C, kh, kw); the image (C, H, W) and the output (O, OH, OW) follow
// ConvGeom with stride 1.
#pragma once
#include <algorithm>
#include <cstdint>

#include "engine/ops/im2col.hpp"

namespace aeg::detail {

// Direct pays off while the GEMM's M (the output channels) is tiny.
inline bool use_direct_conv(const ConvGeom& g, std::int64_t out_channels) {
  return g.stride == 1 && !g.identity() && out_channels <= 2;
}

// out (O, OH, OW) = w * img + b (b may be null).
template <class T>
void direct_conv_fwd(const ConvGeom& g, std::int64_t O, const T* __restrict img, const T* __restrict w,
                     const T* b, T* __restrict out) {
  const std::int64_t L = g.cols(), K = g.rows();
  for (std::int64_t o = 0; o < O; ++o) {
    T* __restrict yo = out + o * L;
    std::fill(yo, yo + L, b ? b[o] : T(0));
    const T* wo = w + o * K;
    for_each_tap(g, [&](std::int64_t tap, std::int64_t in, std::int64_t at, std::int64_t rows, std::int64_t x0,
                        std::int64_t x1) {
      const T wv = wo[tap];
      for (std::int64_t r = 0; r < rows; ++r, in += g.w, at += g.ow)
        for (std::int64_t x = x0; x < x1; ++x) yo[at + x] += wv * img[in + x];
    });
  }
}

// dw (O, C, kh, kw) = (first ? 0 : dw) + the correlation of the output
// gradient with the image. Each tap sums lane-wise over its rows first (a
// loop that vectorises), then over the lanes, in a fixed order.
template <class T>
void direct_conv_dw(const ConvGeom& g, std::int64_t O, const T* __restrict gy, const T* __restrict img, bool first,
                    T* __restrict dw) {
  constexpr std::int64_t kLanes = 64;
  const std::int64_t L = g.cols(), K = g.rows();
  if (first) std::fill(dw, dw + O * K, T(0));
  for (std::int64_t o = 0; o < O; ++o) {
    const T* go = gy + o * L;
    T* dwo = dw + o * K;
    for_each_tap(g, [&](std::int64_t tap, std::int64_t in, std::int64_t at, std::int64_t rows, std::int64_t x0,
                        std::int64_t x1) {
      T s = 0;
      for (std::int64_t c0 = x0; c0 < x1; c0 += kLanes) {
        const std::int64_t n = std::min(kLanes, x1 - c0);
        T acc[kLanes] = {};
        for (std::int64_t r = 0; r < rows; ++r) {
          const T* a = go + at + r * g.ow + c0;
          const T* b = img + in + r * g.w + c0;
          for (std::int64_t x = 0; x < n; ++x) acc[x] += a[x] * b[x];
        }
        for (std::int64_t x = 0; x < n; ++x) s += acc[x];
      }
      dwo[tap] += s;
    });
  }
}

// dimg (C, H, W) += the adjoint of the forward: every output gradient sent back
// through each tap's weight.
template <class T>
void direct_conv_dx(const ConvGeom& g, std::int64_t O, const T* __restrict w, const T* __restrict gy,
                    T* __restrict dimg) {
  const std::int64_t L = g.cols(), K = g.rows();
  for (std::int64_t o = 0; o < O; ++o) {
    const T* go = gy + o * L;
    const T* wo = w + o * K;
    for_each_tap(g, [&](std::int64_t tap, std::int64_t in, std::int64_t at, std::int64_t rows, std::int64_t x0,
                        std::int64_t x1) {
      const T wv = wo[tap];
      for (std::int64_t r = 0; r < rows; ++r, in += g.w, at += g.ow)
        for (std::int64_t x = x0; x < x1; ++x) dimg[in + x] += wv * go[at + x];
    });
  }
}

}  // namespace aeg::detail
