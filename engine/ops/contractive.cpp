// The contractive penalty, fused: for h = f(a), a = x W^T + b, W (hidden, in),
//   ||J||_F^2 = sum_j f'(a_j)^2 sum_i W_ji^2   per sample, batch mean.
// With s_j = sum_i W_ji^2 and m_j = sum_b f'(a_bj)^2 the value is
// (1/B) sum_j m_j s_j, and the hand-written backward is
//   dL/da_bj = (2/B) f'(a_bj) f''(a_bj) s_j,   dL/dW_ji = (2/B) W_ji m_j.
// aux keeps s (hidden values) then m (hidden values) from forward to backward.
// f' and f'' are the activation table's (default slope and alpha).
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/ops.hpp"
#include "engine/ops/activation_table.hpp"
#include "engine/ops/broadcast.hpp"
#include "engine/ops/loss_util.hpp"

namespace aeg {
namespace {

using detail::kGrain;

class Contractive : public OpImpl<Contractive> {
 public:
  explicit Contractive(Activation f) : f_(f) {}
  std::string_view name() const override { return "contractive"; }
  std::string attrs() const override { return "f=" + std::string(activation_info(f_).name); }
  Shape infer(const std::vector<Shape>& in) const override {
    activation_info(f_);  // throws for a value outside the enumeration
    detail::check_arity(in, 2);
    const Shape &a = in[0], &w = in[1];
    if (a.size() != 2)
      throw std::invalid_argument("a has shape " + to_string(a) + " but must be (batch, hidden)");
    if (w.size() != 2)
      throw std::invalid_argument("W has shape " + to_string(w) + " but must be (hidden, in)");
    if (a[1] != w[0])
      throw std::invalid_argument("a has shape " + to_string(a) + " but W has shape " + to_string(w) +
                                  ": W's rows must equal a's columns");
    detail::check_batched("a", a);
    return Shape{};
  }
  Saves saves() const override { return {true, false}; }
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape&) const override { return 2 * in[0][1]; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t B = (*c.in_shape[0])[0], H = (*c.in_shape[0])[1], I = (*c.in_shape[1])[1];
    const T* a = c.in[0];
    const T* w = c.in[1];
    T* s = c.aux;
    T* m = c.aux + H;
    c.par->for_range(H, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(I, 1)), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t j = lo; j < hi; ++j) {
        double acc = 0;
        for (std::int64_t i = 0; i < I; ++i) acc += static_cast<double>(w[j * I + i]) * static_cast<double>(w[j * I + i]);
        s[j] = static_cast<T>(acc);
      }
    });
    detail::act::with_activation(f_, [&](auto row) {
      using R = decltype(row);
      detail::column_sums(
          *c.par, B, H,
          [&](std::int64_t b, std::int64_t j) {
            T d1, d2;
            R::d12(a[b * H + j], R::param, d1, d2);
            return static_cast<double>(d1) * static_cast<double>(d1);
          },
          [&](std::int64_t j, double v) { m[j] = static_cast<T>(v); });
    });
    const double total = c.par->template sum<double>(H, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      double acc = 0;
      for (std::int64_t j = lo; j < hi; ++j) acc += static_cast<double>(m[j]) * static_cast<double>(s[j]);
      return acc;
    });
    c.out[0] = static_cast<T>(total / static_cast<double>(B));
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    const std::int64_t B = (*c.in_shape[0])[0], H = (*c.in_shape[0])[1], I = (*c.in_shape[1])[1];
    const T* a = c.in[0];
    const T* w = c.in[1];
    const T* s = c.aux;
    const T* m = c.aux + H;
    const T g2 = T(2) * c.gout[0] / static_cast<T>(B);
    if (T* ga = c.gin[0]) {
      detail::act::with_activation(f_, [&](auto row) {
        using R = decltype(row);
        c.par->for_range(B * H, kGrain, [&](std::int64_t lo, std::int64_t hi) {
          for (std::int64_t k = lo; k < hi; ++k) {
            T d1, d2;
            R::d12(a[k], R::param, d1, d2);
            ga[k] += g2 * d1 * d2 * s[k % H];
          }
        });
      });
    }
    if (T* gw = c.gin[1]) {
      c.par->for_range(H * I, kGrain, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t k = lo; k < hi; ++k) gw[k] += g2 * w[k] * m[k / I];
      });
    }
  }

 private:
  Activation f_;
};

}  // namespace

Var contractive(Var a, Var w, Activation f) {
  if (a.g != w.g) throw std::invalid_argument("contractive: a and W from two different graphs");
  return a.graph().apply(std::make_shared<Contractive>(f), {a, w});
}

}  // namespace aeg
