// Direct stride-1 convolution of one sample, for layers with very few output
// channels (a decoder's last conv 16 -> 1). There im2col + GEMM is a GEMV over
// a column matrix written to memory and read back once; the direct form does
// the same multiply-adds on image rows that stay in cache. Internal to
// engine/ops; each function is sequential, so its order of additions is fixed.
//
// w is (O, C, kh, kw); the image (C, H, W) and the output (O, OH, OW) follow
// ConvGeom with stride 1.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "engine/kernels/im2col.hpp"
#include "engine/kernels/masked_rows.hpp"

namespace aeg::detail::inline AEG_ISA {

#if defined(AEG_ISA_AVX512)
// Float on AVX-512, rows of at most 128: each output row (forward) or image row
// (dx) summed 16 columns at a time in a register over every (channel, tap),
// from shifted masked loads, and stored once; dw sums each tap in a register.
// The per-tap passes over the whole plane below ran their short rows at a
// fraction of the vector width (conv-pool's 16 -> 1 conv at 28 x 28: ~20 % of
// its step).
inline bool direct_rows_apply(const ConvGeom& g) { return g.w <= 128 && g.ow <= 128 && g.kw <= 32; }

inline void direct_conv_fwd_rows(const ConvGeom& g, std::int64_t O, const float* img, const float* w, const float* b,
                                 float* out) {
  const std::int64_t L = g.cols(), K = g.rows(), OW = g.ow, chunks = (OW + 15) / 16;
  const ShiftMasks m(g, OW, g.w, 1);  // output column x reads input x + j - pad
  for (std::int64_t o = 0; o < O; ++o)
    for (std::int64_t oy = 0; oy < g.oh; ++oy)
      for (std::int64_t q = 0; q < chunks; ++q) {
        __m512 acc = _mm512_set1_ps(b ? b[o] : 0.f);
        for (std::int64_t ch = 0; ch < g.c; ++ch)
          for (std::int64_t i = 0; i < g.kh; ++i) {
            const std::int64_t y = oy + i - g.pad;
            if (y < 0 || y >= g.h) continue;
            const float* row = img + (ch * g.h + y) * g.w;
            const float* wt = w + o * K + (ch * g.kh + i) * g.kw;
            for (std::int64_t j = 0; j < g.kw; ++j)
              acc = _mm512_fmadd_ps(_mm512_set1_ps(wt[j]), simd::window(row, 16 * q + j - g.pad, m.in[j][q]), acc);
          }
        _mm512_mask_storeu_ps(out + o * L + oy * OW + 16 * q, m.store[q], acc);
      }
}

// dw: per tap, the output gradient's rows times the image rows the tap reads,
// 16 columns a lane, then the lanes' total (a fixed reduction order).
inline void direct_conv_dw_rows(const ConvGeom& g, std::int64_t O, const float* gy, const float* img, bool first,
                                float* dw) {
  const std::int64_t L = g.cols(), K = g.rows(), OW = g.ow, chunks = (OW + 15) / 16;
  const ShiftMasks m(g, OW, g.w, 1);
  for (std::int64_t o = 0; o < O; ++o)
    for (std::int64_t ch = 0; ch < g.c; ++ch)
      for (std::int64_t i = 0; i < g.kh; ++i)
        for (std::int64_t j = 0; j < g.kw; ++j) {
          __m512 acc = _mm512_setzero_ps();
          for (std::int64_t oy = 0; oy < g.oh; ++oy) {
            const std::int64_t y = oy + i - g.pad;
            if (y < 0 || y >= g.h) continue;
            const float* grow = gy + o * L + oy * OW;
            const float* row = img + (ch * g.h + y) * g.w;
            for (std::int64_t q = 0; q < chunks; ++q)
              acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m.store[q], grow + 16 * q),
                                    simd::window(row, 16 * q + j - g.pad, m.in[j][q]), acc);
          }
          alignas(64) float lane[16];
          _mm512_store_ps(lane, acc);
          float& d = dw[o * K + (ch * g.kh + i) * g.kw + j];
          d = (first ? 0.f : d) + lane_sum(lane, 16);
        }
}

inline void direct_conv_dx_rows(const ConvGeom& g, std::int64_t O, const float* w, const float* gy, float* dimg) {
  const std::int64_t L = g.cols(), K = g.rows(), W = g.w, chunks = (W + 15) / 16;
  const ShiftMasks m(g, W, g.ow, -1);  // image column x takes output x + pad - j
  for (std::int64_t ch = 0; ch < g.c; ++ch)
    for (std::int64_t y = 0; y < g.h; ++y)
      for (std::int64_t q = 0; q < chunks; ++q) {
        float* d = dimg + (ch * g.h + y) * W + 16 * q;
        __m512 acc = _mm512_maskz_loadu_ps(m.store[q], d);
        for (std::int64_t o = 0; o < O; ++o)
          for (std::int64_t i = 0; i < g.kh; ++i) {
            const std::int64_t oy = y + g.pad - i;
            if (oy < 0 || oy >= g.oh) continue;
            const float* row = gy + o * L + oy * g.ow;
            const float* wt = w + o * K + (ch * g.kh + i) * g.kw;
            for (std::int64_t j = 0; j < g.kw; ++j)
              acc = _mm512_fmadd_ps(_mm512_set1_ps(wt[j]), simd::window(row, 16 * q + g.pad - j, m.in[j][q]), acc);
          }
        _mm512_mask_storeu_ps(d, m.store[q], acc);
      }
}
#endif

// Direct pays off while the GEMM's M (the output channels) is tiny.
inline bool use_direct_conv(const ConvGeom& g, std::int64_t out_channels) {
  return g.stride == 1 && !g.identity() && out_channels <= 2;
}

// out (O, OH, OW) = w * img + b (b may be null).
template <class T>
void direct_conv_fwd(const ConvGeom& g, std::int64_t O, const T* __restrict img, const T* __restrict w,
                     const T* b, T* __restrict out) {
#if defined(AEG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>)
    if (direct_rows_apply(g)) return direct_conv_fwd_rows(g, O, img, w, b, out);
#endif
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
#if defined(AEG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>)
    if (direct_rows_apply(g)) return direct_conv_dw_rows(g, O, gy, img, first, dw);
#endif
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
#if defined(AEG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>)
    if (direct_rows_apply(g)) return direct_conv_dx_rows(g, O, w, gy, dimg);
#endif
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

}  // namespace aeg::detail::inline AEG_ISA
