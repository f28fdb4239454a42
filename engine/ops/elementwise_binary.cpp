// add, sub, mul, div with NumPy broadcasting. Backward forms the full-shape
// gradient of each input (in the node's aux buffer when broadcasting) and
// reduces it with sum_to.
#include <memory>

#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"

namespace aeg {
namespace {

using detail::BroadcastIndex;
using detail::kGrain;

enum class BinKind { Add, Sub, Mul, Div };

class BinaryOp : public OpImpl<BinaryOp> {
 public:
  explicit BinaryOp(BinKind k) : k_(k) {}
  std::string_view name() const override {
    switch (k_) {
      case BinKind::Add: return "add";
      case BinKind::Sub: return "sub";
      case BinKind::Mul: return "mul";
      case BinKind::Div: return "div";
    }
    return "?";
  }
  Shape infer(const std::vector<Shape>& in) const override { return broadcast_shapes(in.at(0), in.at(1)); }
  Saves saves() const override { return {k_ == BinKind::Mul || k_ == BinKind::Div, false}; }
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape& out) const override {
    return (in[0] != out || in[1] != out) ? numel(out) : 0;
  }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const Shape &sa = *c.in_shape[0], &sb = *c.in_shape[1], &so = *c.out_shape;
    switch (k_) {
      case BinKind::Add: detail::broadcast_binary(*c.par, c.in[0], sa, c.in[1], sb, c.out, so, [](T a, T b) { return a + b; }); break;
      case BinKind::Sub: detail::broadcast_binary(*c.par, c.in[0], sa, c.in[1], sb, c.out, so, [](T a, T b) { return a - b; }); break;
      case BinKind::Mul: detail::broadcast_binary(*c.par, c.in[0], sa, c.in[1], sb, c.out, so, [](T a, T b) { return a * b; }); break;
      case BinKind::Div: detail::broadcast_binary(*c.par, c.in[0], sa, c.in[1], sb, c.out, so, [](T a, T b) { return a / b; }); break;
    }
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    for (int which = 0; which < 2; ++which)
      if (c.gin[static_cast<std::size_t>(which)]) grad_of(c, which);
  }

 private:
  // d out / d in[which], times the output gradient, as a full-shape value.
  template <class T>
  T local(const T* g, T a, T b, std::int64_t i, int which) const {
    switch (k_) {
      case BinKind::Add: return g[i];
      case BinKind::Sub: return which == 0 ? g[i] : -g[i];
      case BinKind::Mul: return which == 0 ? g[i] * b : g[i] * a;
      case BinKind::Div: return which == 0 ? g[i] / b : -g[i] * a / (b * b);
    }
    return T(0);
  }

  template <class T>
  void grad_of(const OpCtx<T>& c, int which) const {
    const Shape &sa = *c.in_shape[0], &sb = *c.in_shape[1], &so = *c.out_shape;
    const Shape& target = which == 0 ? sa : sb;
    const std::int64_t n = numel(so);
    const T* a = c.in[0];
    const T* b = c.in[1];
    const T* g = c.gout;
    T* gi = c.gin[static_cast<std::size_t>(which)];
    const bool needs_values = k_ == BinKind::Mul || k_ == BinKind::Div;
    if (sa == so && sb == so) {
      c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i)
          gi[i] += local(g, needs_values ? a[i] : T(0), needs_values ? b[i] : T(0), i, which);
      });
      return;
    }
    const BroadcastIndex ia(sa, so), ib(sb, so);
    T* full = c.aux;
    c.par->for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i)
        full[i] = local(g, needs_values ? a[ia(i)] : T(0), needs_values ? b[ib(i)] : T(0), i, which);
    });
    detail::sum_to(*c.par, full, so, gi, target);
  }

  BinKind k_;
};

Var binary(BinKind k, Var a, Var b) {
  if (a.g != b.g) throw std::invalid_argument("binary op on Vars of two different graphs");
  return a.graph().apply(std::make_shared<BinaryOp>(k), {a, b});
}

}  // namespace

Var add(Var a, Var b) { return binary(BinKind::Add, a, b); }
Var sub(Var a, Var b) { return binary(BinKind::Sub, a, b); }
Var mul(Var a, Var b) { return binary(BinKind::Mul, a, b); }
Var div(Var a, Var b) { return binary(BinKind::Div, a, b); }

}  // namespace aeg
