// im2col and col2im at stride 2 in float with AVX-512, for im2col.hpp to
// dispatch to (internal). The generic versions go through a zero-bordered copy
// of each channel plane and an offset table: a gather (im2col) or scatter-add
// (col2im) per tap, ~5 cycles an element for col2im on W3's 7-wide rows.
// Here whole image rows sit in registers and lane permutations split them into
// taps (im2col) or merge two taps at a time into a row sum (col2im). The same
// bits: im2col copies; col2im adds every pixel's taps in the same order from
// +0, and its extra +0 terms (padding lanes, an odd tap's empty partner)
// change nothing, since a sum that starts at +0 is never -0.
// 128 samples of W3's conv1 geometry: col2im 3.56 -> 1.19 ms.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#if defined(AEG_ISA_AVX512)
#include <algorithm>
#include <cstdint>

#include "engine/kernels/conv_geom.hpp"
#include "engine/kernels/masked_rows.hpp"

namespace aeg::detail::inline AEG_ISA {

// Whether im2col_s2 handles g: stride 2, at most 17 kernel columns (a tap's 8
// positions must lie within two 16-float windows) and 64 positions a row.
inline bool im2col_s2_applies(const ConvGeom& g) { return g.stride == 2 && g.kw <= 17 && g.ow <= 64; }

// Whether col2im_s2 handles g: stride 2, padding under 16, a padded row of at
// most 8 vectors (128 floats) and at most 32 kernel columns.
inline bool col2im_s2_applies(const ConvGeom& g) {
  return g.stride == 2 && g.pad < 16 && g.w + 2 * g.pad <= 128 && g.kw <= 32;
}

// col (C*kh*kw, OH*OW) from img (C, H, W): for each image row a kernel row
// reads, two 16-float windows per 8 positions (zero outside the image), and
// tap j's 8 positions k are lanes 2k + j of them. KW > 0 fixes kw at compile time.
template <int KW>
void im2col_s2_taps(const ConvGeom& g, const float* __restrict img, float* __restrict col) {
  const std::int64_t C = g.c, H = g.h, W = g.w, kh = g.kh, pad = g.pad, OH = g.oh, OW = g.ow;
  const std::int64_t kw = KW > 0 ? KW : g.kw, L = OH * OW, chunks = (OW + 7) / 8;
  __m512i pick[17];
  for (std::int64_t j = 0; j < kw; ++j) {
    alignas(64) std::int32_t idx[16];
    for (int m = 0; m < 16; ++m) idx[m] = static_cast<std::int32_t>(m < 8 ? 2 * m + j : 0);
    pick[j] = _mm512_load_si512(idx);
  }
  // Per 8 positions q: the two windows' first image columns, their in-image lanes, the stored lanes.
  std::int64_t first[8];
  __mmask16 in0[8], in1[8], store[8];
  for (std::int64_t q = 0; q < chunks; ++q) {
    first[q] = 16 * q - pad;
    in0[q] = simd::lanes(-first[q], W - first[q]);
    in1[q] = simd::lanes(-first[q] - 16, W - first[q] - 16);
    store[q] = simd::lanes(0, std::min<std::int64_t>(8, OW - 8 * q));
  }
  for (std::int64_t ch = 0; ch < C; ++ch)
    for (std::int64_t i = 0; i < kh; ++i) {
      float* taps = col + (ch * kh + i) * kw * L;  // tap (i, 0); tap (i, j) is j * L further
      for (std::int64_t oy = 0; oy < OH; ++oy) {
        const std::int64_t y = 2 * oy - pad + i;
        float* out = taps + oy * OW;
        if (y < 0 || y >= H) {
          for (std::int64_t j = 0; j < kw; ++j) std::fill(out + j * L, out + j * L + OW, 0.f);
          continue;
        }
        const float* row = img + (ch * H + y) * W;
        for (std::int64_t q = 0; q < chunks; ++q) {
          const __m512 v0 = simd::window(row, first[q], in0[q]), v1 = simd::window(row, first[q] + 16, in1[q]);
          for (std::int64_t j = 0; j < kw; ++j)
            _mm512_mask_storeu_ps(out + j * L + 8 * q, store[q], _mm512_permutex2var_ps(v0, pick[j], v1));
        }
      }
    }
}

inline void im2col_s2(const ConvGeom& g, const float* img, float* col) {
  if (g.kw == 3) return im2col_s2_taps<3>(g, img, col);
  im2col_s2_taps<0>(g, img, col);
}

// img (C, H, W) = (assign) or += the adjoint of im2col on col. Per image row
// y (padded row r = y + pad), one register per 16 padded columns (NC of them)
// sums, for the kernel rows i that reach r in increasing order, the taps j and
// j + 1 interleaved: padded column 16q + l (lane l of register q) takes tap j
// (l even) or j + 1 (l odd) at position k = 8q - j/2 + l/2.
template <int NC>
void col2im_s2_rows(const ConvGeom& g, const float* __restrict col, bool assign, float* __restrict img) {
  const std::int64_t C = g.c, H = g.h, W = g.w, kh = g.kh, kw = g.kw, pad = g.pad, OH = g.oh, OW = g.ow;
  const std::int64_t L = OH * OW;
  alignas(64) std::int32_t inter_idx[16], shift_idx[16];
  for (int m = 0; m < 16; ++m) {
    inter_idx[m] = (m / 2) + (m % 2 ? 16 : 0);
    shift_idx[m] = static_cast<std::int32_t>(m + pad);  // lane x of the image row is padded lane x + pad
  }
  const __m512i inter = _mm512_load_si512(inter_idx), shift = _mm512_load_si512(shift_idx);
  __mmask16 valid[16][NC];  // per tap pair and register row: the lanes whose position k is in [0, OW)
  for (std::int64_t j = 0; j < kw; j += 2)
    for (int q = 0; q < NC; ++q) valid[j / 2][q] = simd::lanes(j / 2 - 8 * q, std::min<std::int64_t>(8, OW + j / 2 - 8 * q));
  for (std::int64_t ch = 0; ch < C; ++ch) {
    const float* cc = col + ch * kh * kw * L;
    for (std::int64_t y = 0; y < H; ++y) {
      const std::int64_t r = y + pad;
      __m512 acc[NC + 1];
      for (int q = 0; q <= NC; ++q) acc[q] = _mm512_setzero_ps();
      for (std::int64_t i = r % 2; i < kh && i <= r; i += 2) {
        const std::int64_t oy = (r - i) / 2;
        if (oy >= OH) continue;
        for (std::int64_t j = 0; j < kw; j += 2) {
          const float* a = cc + (i * kw + j) * L + oy * OW;
          const bool pair = j + 1 < kw;
          for (int q = 0; q < NC; ++q) {
            const std::int64_t k0 = 8 * q - j / 2;
            const __mmask16 m = valid[j / 2][q];
            const __m512 vb = pair ? simd::window(a + L, k0, m) : _mm512_setzero_ps();
            acc[q] = _mm512_add_ps(acc[q], _mm512_permutex2var_ps(simd::window(a, k0, m), inter, vb));
          }
        }
      }
      float* out = img + (ch * H + y) * W;
      for (int q = 0; q < NC && 16 * q < W; ++q) {
        const __m512 v = _mm512_permutex2var_ps(acc[q], shift, acc[q + 1]);
        const __mmask16 m = simd::lanes(0, W - 16 * q);
        _mm512_mask_storeu_ps(out + 16 * q, m, assign ? v : _mm512_add_ps(_mm512_maskz_loadu_ps(m, out + 16 * q), v));
      }
    }
  }
}

inline void col2im_s2(const ConvGeom& g, const float* col, bool assign, float* img) {
  switch ((g.w + 2 * g.pad + 15) / 16) {
    case 1: return col2im_s2_rows<1>(g, col, assign, img);
    case 2: return col2im_s2_rows<2>(g, col, assign, img);
    case 3: return col2im_s2_rows<3>(g, col, assign, img);
    case 4: return col2im_s2_rows<4>(g, col, assign, img);
    default: return col2im_s2_rows<8>(g, col, assign, img);
  }
}

}  // namespace aeg::detail::inline AEG_ISA
#endif
