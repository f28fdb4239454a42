// One op class for every elementwise function of one input: each function is
// a small struct with f(x) and its derivative df(x, y) where y = f(x).
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>

#include "engine/op.hpp"
#include "engine/ops/broadcast.hpp"
#include "engine/ops/grad_write.hpp"

namespace aeg::detail {

struct UnaryAttr {
  double a = 0, b = 0;
};

template <class Fn>
class UnaryOp : public OpImpl<UnaryOp<Fn>> {
 public:
  explicit UnaryOp(UnaryAttr attr = {}) : attr_(attr) {}
  std::string_view name() const override { return Fn::name; }
  std::string attrs() const override { return Fn::describe(attr_); }
  Shape infer(const std::vector<Shape>& in) const override { return in.at(0); }
  Saves saves() const override { return {Fn::needs_x, Fn::needs_y}; }
  bool assigns_grads() const override { return true; }

  // A function with a whole-range float kernel (Fn::f_float(x, y, n)) runs it on each chunk.
  template <class T>
  void fwd(const OpCtx<T>& c) const {
    if constexpr (std::is_same_v<T, float> && requires { Fn::f_float(c.in[0], c.out, std::int64_t{}); }) {
      c.par->for_range(c.out_size(), kGrain,
                       [&](std::int64_t lo, std::int64_t hi) { Fn::f_float(c.in[0] + lo, c.out + lo, hi - lo); });
    } else {
      const UnaryAttr at = attr_;
      unary(*c.par, c.in[0], c.out, c.out_size(), [at](T x) { return Fn::f(x, at); });
    }
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const UnaryAttr at = attr_;
    const T* x = c.in[0];
    const T* y = c.out;
    const T* g = c.gout;
    T* gx = c.gin[0];
    with_grad_write(c.fresh_grad(0), [&](auto assign) {
      c.par->for_range(c.out_size(), kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i)
          write_grad<decltype(assign)::value>(gx[i], g[i] * Fn::df(Fn::needs_x ? x[i] : T(0), Fn::needs_y ? y[i] : T(0), at));
      });
    });
  }

 private:
  UnaryAttr attr_;
};

}  // namespace aeg::detail
