// col2im for stride 2 in float with AVX-512: each image row summed in
// registers, two kernel taps at a time merged by a lane permutation, and
// stored once. The generic col2im (im2col.hpp) scatter-adds every tap into a
// padded plane through an offset table: at stride 2 on 7-wide rows, twice the
// time (W3's conv1 and transposed conv0, 128 samples: 1.93 -> 0.99 ms). The
// same bits: every pixel's taps are added in the same order, from +0, and the
// extra +0 terms (padding lanes, an odd tap's empty partner) change nothing,
// since a sum that starts at +0 is never -0. Internal; included by im2col.hpp.
#pragma once
#if defined(__AVX512F__)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace aeg::detail {

namespace s2 {

inline __mmask16 lanes(std::int64_t lo, std::int64_t hi) {  // lanes [lo, hi) of 16, clipped
  lo = std::max<std::int64_t>(lo, 0);
  hi = std::min<std::int64_t>(hi, 16);
  return hi <= lo ? 0 : static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
}

// 16 floats p[first .. first+16), where only indices in [0, n) are read and the rest are 0.
inline __m512 load_window(const float* p, std::int64_t first, std::int64_t n) {
  const __mmask16 m = lanes(-first, n - first);
  if (first >= 0) return _mm512_maskz_loadu_ps(m, p + first);
  return _mm512_maskz_expandloadu_ps(m, p);  // the first set lane takes p[0]: no address before p
}

}  // namespace s2

// Whether col2im_s2 handles a geometry: stride 2, padding under 16, and a
// padded row of at most 8 vectors (128 floats).
inline bool col2im_s2_applies(std::int64_t stride, std::int64_t pad, std::int64_t padded_w) {
  return stride == 2 && pad < 16 && padded_w <= 128;
}

// img (C, H, W) = (assign) or += the adjoint of im2col on col. Per image row
// y (padded row r = y + pad), a register row per 16 padded columns sums, for
// the kernel rows i that reach r in increasing order, the taps j and j + 1
// interleaved (tap j at even lanes, j + 1 at odd: column 2k + j is lane 2k + j).
inline void col2im_s2(std::int64_t C, std::int64_t H, std::int64_t W, std::int64_t kh, std::int64_t kw,
                      std::int64_t pad, std::int64_t OH, std::int64_t OW, const float* __restrict col, bool assign,
                      float* __restrict img) {
  const std::int64_t L = OH * OW, pw = W + 2 * pad, chunks = (pw + 15) / 16;
  alignas(64) std::int32_t inter_idx[16], shift_idx[16];
  for (int m = 0; m < 16; ++m) {
    inter_idx[m] = (m / 2) + (m % 2 ? 16 : 0);
    shift_idx[m] = static_cast<std::int32_t>(m + pad);  // lane x of the image row is padded lane x + pad
  }
  const __m512i inter = _mm512_load_si512(inter_idx), shift = _mm512_load_si512(shift_idx);
  __m512 acc[9];
  for (std::int64_t ch = 0; ch < C; ++ch) {
    const float* cc = col + ch * kh * kw * L;
    for (std::int64_t y = 0; y < H; ++y) {
      const std::int64_t r = y + pad;
      for (std::int64_t q = 0; q <= chunks; ++q) acc[q] = _mm512_setzero_ps();
      for (std::int64_t i = r % 2; i < kh && i <= r; i += 2) {
        const std::int64_t oy = (r - i) / 2;
        if (oy >= OH) continue;
        for (std::int64_t j = 0; j < kw; j += 2) {
          const float* a = cc + (i * kw + j) * L + oy * OW;
          for (std::int64_t q = 0; q < chunks; ++q) {
            const std::int64_t k0 = 8 * q - j / 2;  // position k of lanes 0 and 1
            const __m512 va = s2::load_window(a, k0, OW);
            const __m512 vb = j + 1 < kw ? s2::load_window(a + L, k0, OW) : _mm512_setzero_ps();
            acc[q] = _mm512_add_ps(acc[q], _mm512_permutex2var_ps(va, inter, vb));
          }
        }
      }
      float* out = img + (ch * H + y) * W;
      for (std::int64_t x0 = 0, q = 0; x0 < W; x0 += 16, ++q) {
        const __m512 v = _mm512_permutex2var_ps(acc[q], shift, acc[q + 1]);
        const __mmask16 m = s2::lanes(0, W - x0);
        _mm512_mask_storeu_ps(out + x0, m, assign ? v : _mm512_add_ps(_mm512_maskz_loadu_ps(m, out + x0), v));
      }
    }
  }
}

}  // namespace aeg::detail
#endif
