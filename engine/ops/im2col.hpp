// im2col / col2im for one sample, and the fixed split of a batch into blocks
// that conv2d and conv_transpose2d share. Internal to engine/ops.
//
// The "image" is (C, H, W); a kernel (kh, kw) slides over it with a stride and
// zero padding, giving (OH, OW) positions. Its column matrix is
// (C * kh * kw, OH * OW), row (c, i, j) holding image[c, oh*s - p + i, ow*s - p + j]
// (0 outside). conv2d: out = W col(x). conv_transpose2d: out = col2im(W^T x).
#pragma once
#include <algorithm>
#include <cstdint>

#include "engine/parallel.hpp"

namespace aeg::detail {

struct ConvGeom {
  std::int64_t c = 0, h = 0, w = 0;        // image
  std::int64_t kh = 0, kw = 0;             // kernel
  std::int64_t stride = 1, pad = 0;
  std::int64_t oh = 0, ow = 0;             // kernel positions

  std::int64_t rows() const { return c * kh * kw; }   // column matrix rows
  std::int64_t cols() const { return oh * ow; }       // column matrix columns
  std::int64_t image_size() const { return c * h * w; }
  // 1x1 kernel, stride 1, no padding: the column matrix is the image itself.
  bool identity() const { return kh == 1 && kw == 1 && stride == 1 && pad == 0; }

  // Kernel positions along one side: the range [lo, hi) of output positions o
  // whose input o*stride - pad + k lies in [0, n).
  void valid(std::int64_t k, std::int64_t n, std::int64_t out, std::int64_t& lo, std::int64_t& hi) const {
    const std::int64_t first = pad - k;  // o*stride >= pad - k
    lo = first <= 0 ? 0 : std::min(out, (first + stride - 1) / stride);
    const std::int64_t last = n - 1 + pad - k;  // o*stride <= n - 1 + pad - k
    hi = last < 0 ? 0 : std::min(out, last / stride + 1);
    if (hi < lo) hi = lo;
  }
};

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

// col (rows x cols) = the column matrix of img.
template <class T>
void im2col(const ConvGeom& g, const T* __restrict img, T* __restrict col) {
  const std::int64_t L = g.cols(), s = g.stride;
  for (std::int64_t ch = 0; ch < g.c; ++ch) {
    const T* plane = img + ch * g.h * g.w;
    for (std::int64_t i = 0; i < g.kh; ++i) {
      std::int64_t y0, y1;
      g.valid(i, g.h, g.oh, y0, y1);
      for (std::int64_t j = 0; j < g.kw; ++j) {
        std::int64_t x0, x1;
        g.valid(j, g.w, g.ow, x0, x1);
        T* row = col + ((ch * g.kh + i) * g.kw + j) * L;
        if (x0 == x1) {  // this kernel column only ever sees padding
          std::fill(row, row + L, T(0));
          continue;
        }
        std::fill(row, row + y0 * g.ow, T(0));
        for (std::int64_t y = y0; y < y1; ++y) {
          T* r = row + y * g.ow;
          const std::int64_t off = (y * s - g.pad + i) * g.w - g.pad + j;  // + x * s: the pixel
          std::fill(r, r + x0, T(0));
          if (s == 1) {
            for (std::int64_t x = x0; x < x1; ++x) r[x] = plane[off + x];
          } else {
            for (std::int64_t x = x0; x < x1; ++x) r[x] = plane[off + x * s];
          }
          std::fill(r + x1, r + g.ow, T(0));
        }
        std::fill(row + y1 * g.ow, row + L, T(0));
      }
    }
  }
}

// img += the adjoint of im2col applied to col: every column entry is added
// back where it was read from (padding entries are dropped). Sequential, so
// the order of additions is fixed.
template <class T>
void col2im_add(const ConvGeom& g, const T* __restrict col, T* __restrict img) {
  const std::int64_t L = g.cols(), s = g.stride, step = s * g.w;
  for_each_tap(g, [&](std::int64_t tap, std::int64_t in, std::int64_t at, std::int64_t rows, std::int64_t x0,
                      std::int64_t x1) {
    const T* row = col + tap * L + at;
    for (std::int64_t r = 0; r < rows; ++r, row += g.ow, in += step) {
      if (s == 1) {
        for (std::int64_t x = x0; x < x1; ++x) img[in + x] += row[x];
      } else {
        for (std::int64_t x = x0; x < x1; ++x) img[in + x * s] += row[x];
      }
    }
  });
}

// A batch of n samples split into a fixed number of contiguous blocks that
// depends on n only (never on the thread count). Each block owns a column
// buffer and, in backward, partial weight and bias gradients that are added
// in block order, so results are bitwise the same on any number of threads.
struct BatchBlocks {
  static constexpr std::int64_t kMax = 8;
  std::int64_t n = 0, count = 0;
  explicit BatchBlocks(std::int64_t batch) : n(batch), count(std::min(batch, kMax)) {}
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
    T s = 0;
    for (std::int64_t i = 0; i < plane; ++i) s += gy[o * plane + i];
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

}  // namespace aeg::detail
