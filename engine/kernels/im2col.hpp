// im2col / col2im for one sample, and the fixed split of a batch into blocks
// that conv2d and conv_transpose2d share. Internal to engine/ops.
//
// The "image" is (C, H, W); a kernel (kh, kw) slides over it with a stride and
// zero padding, giving (OH, OW) positions. Its column matrix is
// (C * kh * kw, OH * OW), row (c, i, j) holding image[c, oh*s - p + i, ow*s - p + j]
// (0 outside). conv2d: out = W col(x). conv_transpose2d: out = col2im(W^T x).
// Float at strides 1 and 2 in the AVX-512 build (engine/kernels/isa/kernels.hpp) goes to
// the register kernels of im2col_s1.hpp and im2col_s2.hpp (the same bits); the
// versions here do the rest. The ops reach float through conv_dispatch.hpp.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "engine/kernels/conv_geom.hpp"
#include "engine/kernels/im2col_s1.hpp"
#include "engine/kernels/im2col_s2.hpp"
#include "engine/kernels/lane_sum.hpp"
#include "engine/kernels/parallel.hpp"

namespace aeg::detail::inline AEG_ISA {

// Calls f(tap, in, at, rows, x0, x1) for every kernel tap that reaches the
// image: for r in [0, rows) and x in [x0, x1), column entry at + r * OW + x of
// column row `tap` pairs with image element in + (r * W + x) * stride (rows
// the tap sees only padding are left out). tap = (ch * kh + i) * kw + j.
template <class F>
void for_each_tap(const ConvGeom& g, F&& f) {
  for (std::int64_t ch = 0; ch < g.c; ++ch)
    for (std::int64_t i = 0; i < g.kh; ++i) {
      std::int64_t y0, y1;
      g.valid(i, g.h, g.oh, y0, y1);
      for (std::int64_t j = 0; j < g.kw; ++j) {
        std::int64_t x0, x1;
        g.valid(j, g.w, g.ow, x0, x1);
        if (x0 == x1 || y0 == y1) continue;
        f((ch * g.kh + i) * g.kw + j, ch * g.h * g.w + (y0 * g.stride - g.pad + i) * g.w - g.pad + j, y0 * g.ow,
          y1 - y0, x0, x1);
      }
    }
}

// im2col and col2im work through a scratch buffer (scratch_size elements): one
// channel plane copied inside a zero border of `pad`, so that no tap needs a
// bounds test, and the offsets of the kernel positions in that plane, so that
// each column row is one gather (or scatter) over all OH * OW positions.
// Per-row loops with bounds tests ran at ~2 cycles per element on 7-wide rows.
inline std::int64_t padded_h(const ConvGeom& g) { return g.h + 2 * g.pad; }
inline std::int64_t padded_w(const ConvGeom& g) { return g.w + 2 * g.pad; }
inline std::int64_t scratch_size(const ConvGeom& g) {
  if (padded_h(g) * padded_w(g) > INT32_MAX)
    throw std::invalid_argument("a padded image plane of " + std::to_string(padded_h(g)) + " x " +
                                std::to_string(padded_w(g)) + " is beyond 32-bit offsets");
  return padded_h(g) * padded_w(g) + g.cols();
}

// Writes the offsets (int32, in the scratch after the plane) of every kernel
// position's top-left tap in the padded plane, and returns them: once per
// scratch buffer, before its im2col and col2im calls.
template <class T>
const std::int32_t* gather_offsets(const ConvGeom& g, T* scratch) {
  const std::int64_t pw = padded_w(g);
  auto* off = reinterpret_cast<std::int32_t*>(scratch + padded_h(g) * pw);
  for (std::int64_t y = 0; y < g.oh; ++y)
    for (std::int64_t x = 0; x < g.ow; ++x) off[y * g.ow + x] = static_cast<std::int32_t>(y * g.stride * pw + x * g.stride);
  return off;
}

// col (rows x cols) = the column matrix of img.
template <class T>
void im2col(const ConvGeom& g, const T* __restrict img, T* __restrict col, T* scratch,
            const std::int32_t* __restrict off) {
#if defined(AEG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>) {
    if (s1_applies(g)) return im2col_s1(g, img, col);
    if (im2col_s2_applies(g)) return im2col_s2(g, img, col);
  }
#endif
  const std::int64_t L = g.cols(), pw = padded_w(g);
  T* __restrict P = scratch;
  std::fill(P, P + padded_h(g) * pw, T(0));  // the border stays zero; every plane overwrites the inside
  for (std::int64_t ch = 0; ch < g.c; ++ch) {
    const T* plane = img + ch * g.h * g.w;
    for (std::int64_t y = 0; y < g.h; ++y)
      std::copy(plane + y * g.w, plane + (y + 1) * g.w, P + (y + g.pad) * pw + g.pad);
    for (std::int64_t i = 0; i < g.kh; ++i)
      for (std::int64_t j = 0; j < g.kw; ++j) {
        T* __restrict row = col + ((ch * g.kh + i) * g.kw + j) * L;
        const T* __restrict tap = P + i * pw + j;
        for (std::int64_t t = 0; t < L; ++t) row[t] = tap[off[t]];
      }
  }
}

// img = (assign) or += the adjoint of im2col applied to col: every column
// entry is added back where it was read from (padding entries are dropped).
// The order of additions is fixed: taps in order, then onto img.
template <class T>
void col2im(const ConvGeom& g, const T* __restrict col, T* scratch, const std::int32_t* __restrict off,
            bool assign, T* __restrict img) {
#if defined(AEG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>) {
    if (s1_applies(g)) return col2im_s1(g, col, assign, img);
    if (col2im_s2_applies(g)) return col2im_s2(g, col, assign, img);
  }
#endif
  const std::int64_t L = g.cols(), ph = padded_h(g), pw = padded_w(g);
  T* __restrict P = scratch;
  for (std::int64_t ch = 0; ch < g.c; ++ch) {
    std::fill(P, P + ph * pw, T(0));
    for (std::int64_t i = 0; i < g.kh; ++i)
      for (std::int64_t j = 0; j < g.kw; ++j) {
        const T* __restrict row = col + ((ch * g.kh + i) * g.kw + j) * L;
        T* tap = P + i * pw + j;
        // One tap's kernel positions are distinct pixels: no two t write the same element.
#pragma GCC ivdep
        for (std::int64_t t = 0; t < L; ++t) tap[off[t]] += row[t];
      }
    T* plane = img + ch * g.h * g.w;
    for (std::int64_t y = 0; y < g.h; ++y) {
      const T* src = P + (y + g.pad) * pw + g.pad;
      T* dst = plane + y * g.w;
      if (assign) {
        std::copy(src, src + g.w, dst);
      } else {
        for (std::int64_t x = 0; x < g.w; ++x) dst[x] += src[x];
      }
    }
  }
}

// A batch of n samples split into a fixed number of contiguous blocks that
// depends on the shapes only (never on the thread count). Each block owns a column
// buffer and, in backward, partial weight and bias gradients that are added
// in block order, so results are bitwise the same on any number of threads.
// Up to 32 blocks, so that 16-32 workers all have samples (more blocks cost a
// longer sum of partials); fewer where the partials (`weights` elements a block)
// would pass 4 M elements.
struct BatchBlocks {
  static constexpr std::int64_t kMax = 16;
  static constexpr std::int64_t kPartsBudget = std::int64_t{1} << 22;
  std::int64_t n = 0, count = 0;
  BatchBlocks(std::int64_t batch, std::int64_t weights)
      : n(batch),
        count(std::max<std::int64_t>(1, std::min({batch, kMax, kPartsBudget / std::max<std::int64_t>(weights, 1)}))) {}
  std::int64_t begin(std::int64_t b) const { return b * n / count; }
  std::int64_t end(std::int64_t b) const { return (b + 1) * n / count; }
};

// block(b) for every block: in parallel over blocks when there are several.
template <class F>
void run_blocks(Parallel& par, const BatchBlocks& bb, F& block) {
  if (bb.count == 1) {
    block(std::int64_t{0});
    return;
  }
  par.for_range(bb.count, 1, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b) block(b);
  });
}

// y (channels, plane) += b[channel], one sample's bias.
template <class T>
void add_channel_bias(const T* b, std::int64_t channels, std::int64_t plane, T* y) {
  for (std::int64_t o = 0; o < channels; ++o)
    for (std::int64_t i = 0; i < plane; ++i) y[o * plane + i] += b[o];
}

// gb[channel] = (first ? 0 : gb[channel]) + the sum of one sample's gradient
// plane gy (channels, plane): the bias gradient.
template <class T>
void add_channel_sums(const T* gy, std::int64_t channels, std::int64_t plane, bool first, T* gb) {
  for (std::int64_t o = 0; o < channels; ++o) {
    const T s = lane_sum(gy + o * plane, plane);
    gb[o] = first ? s : gb[o] + s;
  }
}

// target[i] += (or =, if assign) parts[0][i] + parts[1][i] + ... (count
// partials of `size` elements each, back to back), always added in block order.
template <class T>
void add_parts(Parallel& par, const T* parts, std::int64_t count, std::int64_t size, bool assign, T* target) {
  par.for_range(size, 4096, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i) {
      T s = parts[i];
      for (std::int64_t b = 1; b < count; ++b) s += parts[b * size + i];
      target[i] = assign ? s : target[i] + s;
    }
  });
}

}  // namespace aeg::detail::inline AEG_ISA
