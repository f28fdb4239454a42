// sum and mean, over everything (0-d result) or over one axis. Full reductions
// add fixed chunks in a fixed order (Parallel::sum), each in 16 lanes
// (lane_sum.hpp); an axis reduction adds each output element's terms in
// increasing index order. Either way the bits do not depend on the thread
// count. Backward reads no values.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/kernels/lane_sum.hpp"
#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"

namespace aeg {
namespace {

using detail::kGrain;

// ---- over every element

class ReduceAllOp : public OpImpl<ReduceAllOp> {
 public:
  explicit ReduceAllOp(bool mean) : mean_(mean) {}
  std::string_view name() const override { return mean_ ? "mean" : "sum"; }
  Shape infer(const std::vector<Shape>& in) const override {
    if (mean_ && numel(in.at(0)) == 0) throw std::invalid_argument("mean of an empty tensor " + to_string(in[0]));
    return {};
  }
  Saves saves() const override { return {false, false}; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t n = c.in_size(0);
    const T* a = c.in[0];
    const T s = c.par->template sum<T>(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      return detail::lane_sum(a + lo, hi - lo);
    });
    c.out[0] = mean_ ? s / static_cast<T>(n) : s;
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const std::int64_t n = c.in_size(0);
    const T g = mean_ ? c.gout[0] / static_cast<T>(n) : c.gout[0];
    T* ga = c.gin[0];
    c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) ga[i] += g;
    });
  }

 private:
  bool mean_;
};

// ---- over one axis: the input is (outer, d, inner), the output (outer, inner)

class ReduceAxisOp : public OpImpl<ReduceAxisOp> {
 public:
  ReduceAxisOp(bool mean, int axis, bool keepdims) : mean_(mean), axis_(axis), keepdims_(keepdims) {}
  std::string_view name() const override { return mean_ ? "mean" : "sum"; }
  std::string attrs() const override {
    return "axis=" + std::to_string(axis_) + (keepdims_ ? " keepdims" : "");
  }
  Shape infer(const std::vector<Shape>& in) const override {
    const Shape& s = in.at(0);
    const std::size_t ax = resolve(s);
    if (mean_ && s[ax] == 0)
      throw std::invalid_argument("mean over the empty axis " + std::to_string(axis_) + " of " + to_string(s));
    Shape r = s;
    if (keepdims_) r[ax] = 1;
    else r.erase(r.begin() + static_cast<std::ptrdiff_t>(ax));
    return r;
  }
  Saves saves() const override { return {false, false}; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const Dims k = dims(*c.in_shape[0]);
    const T* a = c.in[0];
    T* y = c.out;
    const T d = static_cast<T>(k.d);
    // Over flat output indices; each element starts at 0 and adds its terms in order.
    c.par->for_range(k.outer * k.inner, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(1, k.d)),
                     [&](std::int64_t lo, std::int64_t hi) {
      std::int64_t i = lo;
      while (i < hi) {
        const std::int64_t o = i / k.inner, j0 = i % k.inner, j1 = std::min(k.inner, j0 + (hi - i));
        T* yo = y + o * k.inner;
        const T* ao = a + o * k.d * k.inner;
        std::fill(yo + j0, yo + j1, T(0));
        for (std::int64_t t = 0; t < k.d; ++t) {
          const T* at = ao + t * k.inner;
          for (std::int64_t j = j0; j < j1; ++j) yo[j] += at[j];
        }
        if (mean_)
          for (std::int64_t j = j0; j < j1; ++j) yo[j] /= d;
        i += j1 - j0;
      }
    });
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const Dims k = dims(*c.in_shape[0]);
    const T* g = c.gout;
    T* ga = c.gin[0];
    const T scale = mean_ ? T(1) / static_cast<T>(k.d) : T(1);
    const std::int64_t slab = k.d * k.inner;
    c.par->for_range(k.outer * slab, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) {
        const T gi = g[(i / slab) * k.inner + i % k.inner];
        ga[i] += mean_ ? gi * scale : gi;
      }
    });
  }

 private:
  struct Dims {
    std::int64_t outer, d, inner;
  };
  std::size_t resolve(const Shape& s) const {
    const int rank = static_cast<int>(s.size());
    if (axis_ < -rank || axis_ >= rank)
      throw std::invalid_argument("axis " + std::to_string(axis_) + " is out of range for shape " + to_string(s));
    return static_cast<std::size_t>(axis_ < 0 ? axis_ + rank : axis_);
  }
  Dims dims(const Shape& s) const {
    const std::size_t ax = resolve(s);
    Dims k{1, s[ax], 1};
    for (std::size_t i = 0; i < ax; ++i) k.outer *= s[i];
    for (std::size_t i = ax + 1; i < s.size(); ++i) k.inner *= s[i];
    return k;
  }

  bool mean_;
  int axis_;
  bool keepdims_;
};

}  // namespace

Var sum(Var a) { return a.graph().apply(std::make_shared<ReduceAllOp>(false), {a}); }
Var sum(Var a, int axis, bool keepdims) {
  return a.graph().apply(std::make_shared<ReduceAxisOp>(false, axis, keepdims), {a});
}
Var mean(Var a) { return a.graph().apply(std::make_shared<ReduceAllOp>(true), {a}); }
Var mean(Var a, int axis, bool keepdims) {
  return a.graph().apply(std::make_shared<ReduceAxisOp>(true, axis, keepdims), {a});
}

}  // namespace aeg
