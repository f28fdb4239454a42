// max_pool2d, avg_pool2d (no padding, dilation 1, PyTorch's ceil_mode rule)
// and nearest-neighbour upsample2d on NCHW. Parallel over (n, c) planes; each
// plane is one task's, visited in a fixed order, so results are the same on
// any number of threads.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "engine/kernels/isa/kernels.hpp"
#include "engine/kernels/max_pool_rows.hpp"
#include "engine/kernels/parallel.hpp"
#include "engine/ops.hpp"

namespace aeg {
namespace {

// Output side of a pool of `kernel` with `stride` over n (PyTorch's
// pooling_output_shape with padding 0 and dilation 1): in ceil mode a last,
// partial window is kept if it starts inside the input.
std::int64_t pool_side(std::int64_t n, std::int64_t kernel, std::int64_t stride, bool ceil_mode) {
  const std::int64_t span = n - kernel;
  std::int64_t o = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (o - 1) * stride >= n) --o;
  return o;
}

// Planes per task: about 16k output elements each.
std::int64_t plane_grain(std::int64_t plane) { return std::max<std::int64_t>(1, (1 << 14) / std::max<std::int64_t>(1, plane)); }

class Pool2dBase {
 public:
  Pool2dBase(std::int64_t kernel, std::int64_t stride, bool ceil_mode) : k_(kernel), s_(stride), ceil_(ceil_mode) {}

 protected:
  std::string describe() const {
    return "kernel=" + std::to_string(k_) + " stride=" + std::to_string(s_) + (ceil_ ? " ceil_mode" : "");
  }
  Shape pooled(const std::vector<Shape>& in) const {
    const Shape& x = in.at(0);
    if (k_ < 1) throw std::invalid_argument("kernel must be >= 1, got " + std::to_string(k_));
    if (s_ < 1) throw std::invalid_argument("stride must be >= 1, got " + std::to_string(s_));
    if (x.size() != 4) throw std::invalid_argument("expects x as (N, C, H, W), got " + to_string(x));
    if (x[2] < k_ || x[3] < k_)
      throw std::invalid_argument("kernel " + std::to_string(k_) + "x" + std::to_string(k_) +
                                  " is larger than the input " + to_string(x));
    return {x[0], x[1], pool_side(x[2], k_, s_, ceil_), pool_side(x[3], k_, s_, ceil_)};
  }

  std::int64_t k_, s_;
  bool ceil_;
};

class MaxPool2dOp : public OpImpl<MaxPool2dOp>, Pool2dBase {
 public:
  MaxPool2dOp(std::int64_t kernel, std::int64_t stride, bool ceil_mode) : Pool2dBase(kernel, stride, ceil_mode) {}
  std::string_view name() const override { return "max_pool2d"; }
  std::string attrs() const override { return describe(); }
  Shape infer(const std::vector<Shape>& in) const override {
    const Shape out = pooled(in);
    // Arg-max indices are kept in the scalar type: exact in float below 2^24.
    if (in[0][2] * in[0][3] > (std::int64_t{1} << 24))
      throw std::invalid_argument("a plane of " + to_string(in[0]) + " is too large for float arg-max indices");
    return out;
  }
  Saves saves() const override { return {}; }
  // The arg-max of every output element, as an index into its (H, W) plane.
  std::int64_t aux_size(const std::vector<Shape>&, const Shape& out) const override { return numel(out); }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const Shape& xs = *c.in_shape[0];
    const Shape& ys = *c.out_shape;
    const std::int64_t H = xs[2], W = xs[3], OH = ys[2], OW = ys[3];
    const std::int64_t planes = xs[0] * xs[1];
    const T* x = c.in[0];
    // Whole 2x2 windows at stride 2 (the zoo's pools) take a loop GCC vectorises.
    const bool two = k_ == 2 && s_ == 2;
    const std::int64_t full_h = two ? std::min(OH, (H - 2) / 2 + 1) : 0, full_w = two ? std::min(OW, (W - 2) / 2 + 1) : 0;
    c.par->for_range(planes, plane_grain(OH * OW * k_ * k_), [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        const T* xp = x + p * H * W;
        T* yp = c.out + p * OH * OW;
        T* ap = c.aux + p * OH * OW;
        if (full_h > 0 && full_w > 0) {
          if constexpr (std::is_same_v<T, float>)
            detail::kernels().max2x2_rows(xp, W, full_h, full_w, OW, yp, ap);
          else
            detail::max2x2_rows(xp, W, full_h, full_w, OW, yp, ap);
        }
        for (std::int64_t oy = 0; oy < OH; ++oy) {
          const std::int64_t y0 = oy * s_, y1 = std::min(y0 + k_, H);
          const std::int64_t ox0 = oy < full_h ? full_w : 0;
          for (std::int64_t ox = ox0; ox < OW; ++ox) {
            const std::int64_t x0 = ox * s_, x1 = std::min(x0 + k_, W);
            std::int64_t best = y0 * W + x0;
            T bv = xp[best];
            for (std::int64_t y = y0; y < y1; ++y)
              for (std::int64_t xx = x0; xx < x1; ++xx) detail::take_max(xp[y * W + xx], y * W + xx, bv, best);
            yp[oy * OW + ox] = bv;
            ap[oy * OW + ox] = static_cast<T>(best);
          }
        }
      }
    });
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const Shape& xs = *c.in_shape[0];
    const std::int64_t plane = xs[2] * xs[3], out_plane = (*c.out_shape)[2] * (*c.out_shape)[3];
    c.par->for_range(xs[0] * xs[1], plane_grain(out_plane), [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        T* gx = c.gin[0] + p * plane;
        const T* gy = c.gout + p * out_plane;
        const T* ap = c.aux + p * out_plane;
        for (std::int64_t o = 0; o < out_plane; ++o) gx[static_cast<std::int64_t>(ap[o])] += gy[o];
      }
    });
  }
};

class AvgPool2dOp : public OpImpl<AvgPool2dOp>, Pool2dBase {
 public:
  AvgPool2dOp(std::int64_t kernel, std::int64_t stride, bool ceil_mode) : Pool2dBase(kernel, stride, ceil_mode) {}
  std::string_view name() const override { return "avg_pool2d"; }
  std::string attrs() const override { return describe(); }
  Shape infer(const std::vector<Shape>& in) const override { return pooled(in); }
  Saves saves() const override { return {}; }

  // Windows clipped to the input (ceil mode); the mean is over the clipped window.
  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const Shape& xs = *c.in_shape[0];
    const Shape& ys = *c.out_shape;
    const std::int64_t H = xs[2], W = xs[3], OH = ys[2], OW = ys[3];
    const T* x = c.in[0];
    c.par->for_range(xs[0] * xs[1], plane_grain(OH * OW * k_ * k_), [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        const T* xp = x + p * H * W;
        T* yp = c.out + p * OH * OW;
        for (std::int64_t oy = 0; oy < OH; ++oy) {
          const std::int64_t y0 = oy * s_, y1 = std::min(y0 + k_, H);
          for (std::int64_t ox = 0; ox < OW; ++ox) {
            const std::int64_t x0 = ox * s_, x1 = std::min(x0 + k_, W);
            T sum = 0;
            for (std::int64_t y = y0; y < y1; ++y)
              for (std::int64_t xx = x0; xx < x1; ++xx) sum += xp[y * W + xx];
            yp[oy * OW + ox] = sum / static_cast<T>((y1 - y0) * (x1 - x0));
          }
        }
      }
    });
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const Shape& xs = *c.in_shape[0];
    const Shape& ys = *c.out_shape;
    const std::int64_t H = xs[2], W = xs[3], OH = ys[2], OW = ys[3];
    c.par->for_range(xs[0] * xs[1], plane_grain(OH * OW * k_ * k_), [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        T* gx = c.gin[0] + p * H * W;
        const T* gy = c.gout + p * OH * OW;
        for (std::int64_t oy = 0; oy < OH; ++oy) {
          const std::int64_t y0 = oy * s_, y1 = std::min(y0 + k_, H);
          for (std::int64_t ox = 0; ox < OW; ++ox) {
            const std::int64_t x0 = ox * s_, x1 = std::min(x0 + k_, W);
            const T g = gy[oy * OW + ox] / static_cast<T>((y1 - y0) * (x1 - x0));
            for (std::int64_t y = y0; y < y1; ++y)
              for (std::int64_t xx = x0; xx < x1; ++xx) gx[y * W + xx] += g;
          }
        }
      }
    });
  }
};

class Upsample2dOp : public OpImpl<Upsample2dOp> {
 public:
  explicit Upsample2dOp(std::int64_t factor) : f_(factor) {}
  std::string_view name() const override { return "upsample2d"; }
  std::string attrs() const override { return "factor=" + std::to_string(f_); }
  Shape infer(const std::vector<Shape>& in) const override {
    const Shape& x = in.at(0);
    if (f_ < 1) throw std::invalid_argument("factor must be >= 1, got " + std::to_string(f_));
    if (x.size() != 4) throw std::invalid_argument("expects x as (N, C, H, W), got " + to_string(x));
    return {x[0], x[1], x[2] * f_, x[3] * f_};
  }
  Saves saves() const override { return {}; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const Shape& xs = *c.in_shape[0];
    const std::int64_t H = xs[2], W = xs[3], OW = W * f_;
    c.par->for_range(xs[0] * xs[1], plane_grain(H * W * f_ * f_), [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        const T* xp = c.in[0] + p * H * W;
        T* yp = c.out + p * H * W * f_ * f_;
        for (std::int64_t y = 0; y < H; ++y) {
          T* row = yp + y * f_ * OW;
          const T* in = xp + y * W;
          if (f_ == 2)  // a fixed factor: the loop vectorises
            for (std::int64_t x = 0; x < W; ++x) row[2 * x] = row[2 * x + 1] = in[x];
          else
            for (std::int64_t x = 0; x < W; ++x) std::fill(row + x * f_, row + (x + 1) * f_, in[x]);
          for (std::int64_t r = 1; r < f_; ++r) std::copy(row, row + OW, row + r * OW);
        }
      }
    });
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const Shape& xs = *c.in_shape[0];
    const std::int64_t H = xs[2], W = xs[3], OW = W * f_;
    c.par->for_range(xs[0] * xs[1], plane_grain(H * W * f_ * f_), [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        T* gx = c.gin[0] + p * H * W;
        const T* gy = c.gout + p * H * W * f_ * f_;
        for (std::int64_t y = 0; y < H; ++y) {
          if (f_ == 2) {  // the same sums in the same order, a fixed factor: the loop vectorises
            const T* r0 = gy + 2 * y * OW;
            const T* r1 = r0 + OW;
            for (std::int64_t x = 0; x < W; ++x)
              gx[y * W + x] += T(0) + r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1];
            continue;
          }
          for (std::int64_t x = 0; x < W; ++x) {
            T s = 0;
            for (std::int64_t dy = 0; dy < f_; ++dy)
              for (std::int64_t dx = 0; dx < f_; ++dx) s += gy[(y * f_ + dy) * OW + x * f_ + dx];
            gx[y * W + x] += s;
          }
        }
      }
    });
  }

 private:
  std::int64_t f_;
};

std::int64_t default_stride(std::int64_t kernel, std::int64_t stride) { return stride == 0 ? kernel : stride; }

}  // namespace

Var max_pool2d(Var x, std::int64_t kernel, std::int64_t stride, bool ceil_mode) {
  return x.graph().apply(std::make_shared<MaxPool2dOp>(kernel, default_stride(kernel, stride), ceil_mode), {x});
}

Var avg_pool2d(Var x, std::int64_t kernel, std::int64_t stride, bool ceil_mode) {
  return x.graph().apply(std::make_shared<AvgPool2dOp>(kernel, default_stride(kernel, stride), ceil_mode), {x});
}

Var upsample2d(Var x, std::int64_t factor) {
  return x.graph().apply(std::make_shared<Upsample2dOp>(factor), {x});
}

}  // namespace aeg
