// transpose, reshape, concat, slice: copies forward, scatter-adds backward.
// None of them reads a value in backward. Every concat / slice views its
// tensors as (outer, axis, inner) blocks, so the copies are contiguous runs.
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"

namespace aeg {
namespace {

using detail::kGrain;

// axis in [-rank, rank) -> [0, rank); throws naming the op's view of it.
std::size_t resolve_axis(int axis, const Shape& s) {
  const int rank = static_cast<int>(s.size());
  if (axis < -rank || axis >= rank)
    throw std::invalid_argument("axis " + std::to_string(axis) + " is out of range for shape " + to_string(s));
  return static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
}

std::int64_t prod(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t p = 1;
  for (std::size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

std::int64_t grain_for(std::int64_t elems_per_item) {
  return std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(1, elems_per_item));
}

// ---- transpose (2-D)

class TransposeOp : public OpImpl<TransposeOp> {
 public:
  std::string_view name() const override { return "transpose"; }
  Shape infer(const std::vector<Shape>& in) const override {
    if (in.at(0).size() != 2) throw std::invalid_argument("expects a 2-D input, got " + to_string(in[0]));
    return {in[0][1], in[0][0]};
  }
  Saves saves() const override { return {false, false}; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t r = (*c.in_shape[0])[0], k = (*c.in_shape[0])[1];
    transpose_into(*c.par, c.in[0], r, k, c.out, false);
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const std::int64_t r = (*c.in_shape[0])[0], k = (*c.in_shape[0])[1];
    transpose_into(*c.par, c.gout, k, r, c.gin[0], true);
  }

 private:
  // dst (cols, rows) = src (rows, cols)^T, or += when accumulate; tiled, parallel over dst rows.
  template <class T>
  static void transpose_into(Parallel& par, const T* src, std::int64_t rows, std::int64_t cols, T* dst,
                             bool accumulate) {
    constexpr std::int64_t kTile = 32;
    const std::int64_t tiles = (cols + kTile - 1) / kTile;
    par.for_range(tiles, grain_for(kTile * rows), [&](std::int64_t t0, std::int64_t t1) {
      for (std::int64_t jb = t0 * kTile; jb < std::min(cols, t1 * kTile); jb += kTile) {
        const std::int64_t je = std::min(cols, jb + kTile);
        for (std::int64_t ib = 0; ib < rows; ib += kTile) {
          const std::int64_t ie = std::min(rows, ib + kTile);
          for (std::int64_t j = jb; j < je; ++j)
            for (std::int64_t i = ib; i < ie; ++i) {
              if (accumulate) dst[j * rows + i] += src[i * cols + j];
              else dst[j * rows + i] = src[i * cols + j];
            }
        }
      }
    });
  }
};

// ---- reshape

class ReshapeOp : public OpImpl<ReshapeOp> {
 public:
  explicit ReshapeOp(Shape target) : target_(std::move(target)) {}
  std::string_view name() const override { return "reshape"; }
  std::string attrs() const override { return "shape=" + to_string(target_); }
  Shape infer(const std::vector<Shape>& in) const override {
    const Shape& s = in.at(0);
    Shape r = target_;
    int free = -1;
    std::int64_t known = 1;
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (r[i] == -1) {
        if (free >= 0) throw std::invalid_argument("target shape " + to_string(target_) + " has more than one -1");
        free = static_cast<int>(i);
      } else if (r[i] < 0) {
        throw std::invalid_argument("target shape " + to_string(target_) + " has a negative side");
      } else {
        known *= r[i];
      }
    }
    const std::int64_t n = numel(s);
    if (free >= 0) {
      if (known == 0 || n % known != 0)
        throw std::invalid_argument("cannot reshape " + to_string(s) + " (" + std::to_string(n) +
                                    " elements) to " + to_string(target_));
      r[static_cast<std::size_t>(free)] = n / known;
    } else if (known != n) {
      throw std::invalid_argument("cannot reshape " + to_string(s) + " (" + std::to_string(n) + " elements) to " +
                                  to_string(target_) + " (" + std::to_string(known) + " elements)");
    }
    return r;
  }
  Saves saves() const override { return {false, false}; }
  bool assigns_grads() const override { return true; }
  bool is_view() const override { return true; }

  // The copy runs only where the plan does not alias (an input fed from outside
  // the arena, or a plan that keeps every value apart for drawing and tracing).
  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const T* a = c.in[0];
    T* y = c.out;
    c.par->for_range(c.out_size(), kGrain, [&](std::int64_t lo, std::int64_t hi) {
      std::copy(a + lo, a + hi, y + lo);
    });
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const T* g = c.gout;
    T* ga = c.gin[0];
    const bool assign = c.fresh_grad(0);
    c.par->for_range(c.out_size(), kGrain, [&](std::int64_t lo, std::int64_t hi) {
      if (assign)
        std::copy(g + lo, g + hi, ga + lo);
      else
        for (std::int64_t i = lo; i < hi; ++i) ga[i] += g[i];
    });
  }

 private:
  Shape target_;
};

// ---- concat

class ConcatOp : public OpImpl<ConcatOp> {
 public:
  explicit ConcatOp(int axis) : axis_(axis) {}
  std::string_view name() const override { return "concat"; }
  std::string attrs() const override { return "axis=" + std::to_string(axis_); }
  Shape infer(const std::vector<Shape>& in) const override {
    if (in.empty()) throw std::invalid_argument("needs at least one input");
    const Shape& first = in[0];
    const std::size_t ax = resolve_axis(axis_, first);
    Shape r = first;
    r[ax] = 0;
    for (std::size_t p = 0; p < in.size(); ++p) {
      const Shape& s = in[p];
      bool ok = s.size() == first.size();
      for (std::size_t d = 0; ok && d < s.size(); ++d) ok = d == ax || s[d] == first[d];
      if (!ok)
        throw std::invalid_argument("input " + std::to_string(p) + " " + to_string(s) + " does not match input 0 " +
                                    to_string(first) + " outside axis " + std::to_string(axis_));
      r[ax] += s[ax];
    }
    return r;
  }
  Saves saves() const override { return {false, false}; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    copy_blocks(c, true);
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    copy_blocks(c, false);
  }

 private:
  // forward: out[o, off_p + k, :] = in_p[o, k, :]; backward: gin_p[o, k, :] += gout[o, off_p + k, :].
  template <class T>
  void copy_blocks(const OpCtx<T>& c, bool forward) const {
    const Shape& so = *c.out_shape;
    const std::size_t ax = resolve_axis(axis_, so);
    const std::int64_t outer = prod(so, 0, ax), inner = prod(so, ax + 1, so.size());
    const std::int64_t row = so[ax] * inner;  // one outer slab of the output
    c.par->for_range(outer, grain_for(row), [&](std::int64_t o0, std::int64_t o1) {
      for (std::int64_t o = o0; o < o1; ++o) {
        std::int64_t off = 0;
        for (std::size_t p = 0; p < c.in.size(); ++p) {
          const std::int64_t len = (*c.in_shape[p])[ax] * inner;
          if (forward) {
            const T* src = c.in[p] + o * len;
            std::copy(src, src + len, c.out + o * row + off);
          } else if (T* gp = c.gin[p]) {
            const T* src = c.gout + o * row + off;
            T* dst = gp + o * len;
            for (std::int64_t i = 0; i < len; ++i) dst[i] += src[i];
          }
          off += len;
        }
      }
    });
  }

  int axis_;
};

// ---- slice

class SliceOp : public OpImpl<SliceOp> {
 public:
  SliceOp(int axis, std::int64_t begin, std::int64_t end) : axis_(axis), begin_(begin), end_(end) {}
  std::string_view name() const override { return "slice"; }
  std::string attrs() const override {
    return "axis=" + std::to_string(axis_) + " begin=" + std::to_string(begin_) + " end=" + std::to_string(end_);
  }
  Shape infer(const std::vector<Shape>& in) const override {
    const Shape& s = in.at(0);
    const Range r = resolve(s);
    Shape o = s;
    o[r.axis] = r.end - r.begin;
    return o;
  }
  Saves saves() const override { return {false, false}; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    run(c, true);
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (c.gin[0]) run(c, false);
  }

 private:
  struct Range {
    std::size_t axis;
    std::int64_t begin, end;
  };
  // Negative begin / end count from the end of the axis, like Python.
  Range resolve(const Shape& s) const {
    const std::size_t ax = resolve_axis(axis_, s);
    const std::int64_t d = s[ax];
    const std::int64_t b = begin_ < 0 ? begin_ + d : begin_, e = end_ < 0 ? end_ + d : end_;
    if (b < 0 || e > d || b > e)
      throw std::invalid_argument("range [" + std::to_string(begin_) + ", " + std::to_string(end_) +
                                  ") is out of bounds for axis " + std::to_string(axis_) + " of shape " + to_string(s));
    return {ax, b, e};
  }

  // forward: out[o, :, :] = in[o, begin:end, :]; backward: gin[o, begin:end, :] += gout[o, :, :].
  template <class T>
  void run(const OpCtx<T>& c, bool forward) const {
    const Shape& s = *c.in_shape[0];
    const Range r = resolve(s);
    const std::int64_t outer = prod(s, 0, r.axis), inner = prod(s, r.axis + 1, s.size());
    const std::int64_t in_row = s[r.axis] * inner, len = (r.end - r.begin) * inner, skip = r.begin * inner;
    c.par->for_range(outer, grain_for(len), [&](std::int64_t o0, std::int64_t o1) {
      for (std::int64_t o = o0; o < o1; ++o) {
        if (forward) {
          const T* src = c.in[0] + o * in_row + skip;
          std::copy(src, src + len, c.out + o * len);
        } else {
          const T* src = c.gout + o * len;
          T* dst = c.gin[0] + o * in_row + skip;
          for (std::int64_t i = 0; i < len; ++i) dst[i] += src[i];
        }
      }
    });
  }

  int axis_;
  std::int64_t begin_, end_;
};

}  // namespace

Var transpose(Var a) { return a.graph().apply(std::make_shared<TransposeOp>(), {a}); }

Var reshape(Var a, Shape shape) { return a.graph().apply(std::make_shared<ReshapeOp>(std::move(shape)), {a}); }

Var concat(const std::vector<Var>& parts, int axis) {
  if (parts.empty()) throw std::invalid_argument("concat: no inputs");
  for (const Var& v : parts)
    if (v.g != parts[0].g) throw std::invalid_argument("concat on Vars of different graphs");
  return parts[0].graph().apply(std::make_shared<ConcatOp>(axis), parts);
}

Var slice(Var a, int axis, std::int64_t begin, std::int64_t end) {
  return a.graph().apply(std::make_shared<SliceOp>(axis, begin, end), {a});
}

}  // namespace aeg
