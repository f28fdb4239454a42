// The geometry of one sample's im2col: an "image" (C, H, W), a kernel (kh, kw)
// sliding over it with a stride and zero padding, and the (OH, OW) kernel
// positions. Internal to engine/ops.
#pragma once
#include <algorithm>
#include <cstdint>

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

}  // namespace aeg::detail
