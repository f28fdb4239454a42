// im2col and col2im at stride 1 in float with AVX-512, for im2col.hpp to
// dispatch to (internal). At stride 1 every column row is an image row
// shifted by the tap's column: im2col is one masked load and store per 16
// positions, col2im sums each image row's shifted column rows in registers
// and stores it once. The generic scatter-add (im2col.hpp) runs into its own
// stores at stride 1 (16 channels of 28 x 28, 128 samples: 16-20 ms).
// The same bits: col2im adds every pixel's taps in tap order from +0, and the
// +0 of lanes outside a tap's reach changes nothing.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#if defined(AEG_ISA_AVX512)
#include <algorithm>
#include <cstdint>

#include "engine/kernels/conv_geom.hpp"
#include "engine/kernels/masked_rows.hpp"

namespace aeg::detail::inline AEG_ISA {

// Whether the stride-1 kernels handle g: rows of at most 8 vectors (128 floats,
// image and positions) and at most 32 kernel columns.
inline bool s1_applies(const ConvGeom& g) { return g.stride == 1 && g.w <= 128 && g.ow <= 128 && g.kw <= 32; }

// For the 16 columns from 16q of a row `width` long: the lanes inside the row
// (store), and per kernel column j the lanes whose source column 16q + lane +
// sign * (j - pad) lies in [0, n) (in).
struct ShiftMasks {
  __mmask16 in[32][8], store[8];
  ShiftMasks(const ConvGeom& g, std::int64_t width, std::int64_t n, std::int64_t sign) {
    for (std::int64_t q = 0; q < (width + 15) / 16; ++q) {
      store[q] = simd::lanes(0, width - 16 * q);
      for (std::int64_t j = 0; j < g.kw; ++j) {
        const std::int64_t at = 16 * q + sign * (j - g.pad);
        in[j][q] = simd::lanes(-at, n - at) & store[q];
      }
    }
  }
};

// col (C*kh*kw, OH*OW) from img (C, H, W): column row (i, j) at position row oy
// is image row oy + i - pad from column j - pad on (0 outside the image).
inline void im2col_s1(const ConvGeom& g, const float* __restrict img, float* __restrict col) {
  const std::int64_t L = g.cols(), OW = g.ow, W = g.w, chunks = (OW + 15) / 16;
  const ShiftMasks m(g, OW, W, 1);  // position x reads image column x + j - pad
  for (std::int64_t ch = 0; ch < g.c; ++ch)
    for (std::int64_t i = 0; i < g.kh; ++i) {
      float* taps = col + (ch * g.kh + i) * g.kw * L;  // tap (i, 0); tap (i, j) is j * L further
      for (std::int64_t oy = 0; oy < g.oh; ++oy) {
        const std::int64_t y = oy + i - g.pad;
        float* out = taps + oy * OW;
        const bool inside = y >= 0 && y < g.h;
        const float* row = inside ? img + (ch * g.h + y) * W : img;
        for (std::int64_t j = 0; j < g.kw; ++j)
          for (std::int64_t q = 0; q < chunks; ++q) {
            const __m512 v = inside ? simd::window(row, 16 * q + j - g.pad, m.in[j][q]) : _mm512_setzero_ps();
            _mm512_mask_storeu_ps(out + j * L + 16 * q, m.store[q], v);
          }
      }
    }
}

// img (C, H, W) = (assign) or += the adjoint of im2col_s1 on col: image row y,
// 16 columns at a time, sums column rows (i, j) at position row y + pad - i from
// position x + pad - j on, kernel rows i in increasing order, j within each.
inline void col2im_s1(const ConvGeom& g, const float* __restrict col, bool assign, float* __restrict img) {
  const std::int64_t L = g.cols(), OW = g.ow, W = g.w, chunks = (W + 15) / 16;
  const ShiftMasks m(g, W, OW, -1);  // image column x takes position x + pad - j
  for (std::int64_t ch = 0; ch < g.c; ++ch) {
    const float* cc = col + ch * g.kh * g.kw * L;
    for (std::int64_t y = 0; y < g.h; ++y) {
      float* out = img + (ch * g.h + y) * W;
      for (std::int64_t q = 0; q < chunks; ++q) {
        __m512 acc = _mm512_setzero_ps();
        for (std::int64_t i = 0; i < g.kh; ++i) {
          const std::int64_t oy = y + g.pad - i;
          if (oy < 0 || oy >= g.oh) continue;
          const float* a = cc + i * g.kw * L + oy * OW;
          for (std::int64_t j = 0; j < g.kw; ++j)
            acc = _mm512_add_ps(acc, simd::window(a + j * L, 16 * q + g.pad - j, m.in[j][q]));
        }
        float* o = out + 16 * q;
        _mm512_mask_storeu_ps(o, m.store[q], assign ? acc : _mm512_add_ps(_mm512_maskz_loadu_ps(m.store[q], o), acc));
      }
    }
  }
}

}  // namespace aeg::detail::inline AEG_ISA
#endif
