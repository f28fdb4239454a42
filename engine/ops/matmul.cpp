// matmul and the fused linear layer, both through the one checked gemm. The
// backward passes transpose flags to gemm with beta = 1, so input gradients
// accumulate in place and no transpose is ever materialised (beta = 0 for a
// gradient this op writes first: OpCtx::fresh_grad).
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/kernels/gemm.hpp"
#include "engine/ops.hpp"
#include "engine/ops/broadcast.hpp"
#include "engine/ops/grad_write.hpp"

namespace aeg {
namespace {

using detail::kGrain;

// Both input gradients of a product, in one parallel loop over the tiles of
// both GEMMs (gemm_together), or one after the other when they are one buffer.
template <class T>
void both_gradients(Parallel* par, const T* ga, const T* gb, const GemmArgs<T>& da, const GemmArgs<T>& db) {
  if (ga && gb && ga != gb)
    gemm_together<T>({da, db}, par);
  else {
    if (ga) gemm_together<T>({da}, par);
    if (gb) gemm_together<T>({db}, par);
  }
}

// ---- matmul: C (m, n) = op(A) (m, k) op(B) (k, n)

class MatmulOp : public OpImpl<MatmulOp> {
 public:
  MatmulOp(bool ta, bool tb) : ta_(ta), tb_(tb) {}
  std::string_view name() const override { return "matmul"; }
  std::string attrs() const override {
    return std::string("trans_a=") + (ta_ ? "1" : "0") + " trans_b=" + (tb_ ? "1" : "0");
  }
  Shape infer(const std::vector<Shape>& in) const override {
    if (in.size() != 2) throw std::invalid_argument("expects 2 inputs");
    const Shape &a = in[0], &b = in[1];
    if (a.size() != 2 || b.size() != 2)
      throw std::invalid_argument("operands must be 2-D, got " + to_string(a) + " and " + to_string(b));
    const std::int64_t ka = ta_ ? a[0] : a[1], kb = tb_ ? b[1] : b[0];
    if (ka != kb)
      throw std::invalid_argument("inner dimensions differ: " + to_string(a) + (ta_ ? "^T" : "") + " times " +
                                  to_string(b) + (tb_ ? "^T" : "") + " (" + std::to_string(ka) + " vs " +
                                  std::to_string(kb) + ")");
    return {ta_ ? a[1] : a[0], tb_ ? b[0] : b[1]};
  }
  Saves saves() const override { return {true, false}; }  // each gradient reads the other operand
  bool assigns_grads() const override { return true; }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const Shape &sa = *c.in_shape[0], &sb = *c.in_shape[1];
    const std::int64_t m = (*c.out_shape)[0], n = (*c.out_shape)[1], k = ta_ ? sa[0] : sa[1];
    gemm<T>(ta_, tb_, m, n, k, T(1), c.in[0], sa[1], c.in[1], sb[1], T(0), c.out, n, c.par);
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    const Shape &sa = *c.in_shape[0], &sb = *c.in_shape[1];
    const std::int64_t m = (*c.out_shape)[0], n = (*c.out_shape)[1], k = ta_ ? sa[0] : sa[1];
    const T *a = c.in[0], *b = c.in[1], *g = c.gout;
    const std::int64_t lda = sa[1], ldb = sb[1];
    T *ga = c.gin[0], *gb = c.gin[1];
    // d op(A) = G op(B)^T (m, k); dA is that, or its transpose when ta.
    const T beta_a = detail::grad_beta(c, 0), beta_b = detail::grad_beta(c, 1);
    const GemmArgs<T> da = !ta_ ? GemmArgs<T>{false, !tb_, m, k, n, T(1), g, n, b, ldb, beta_a, ga, lda}   // dA (m, k) += G op(B)^T
                                : GemmArgs<T>{tb_, true, k, m, n, T(1), b, ldb, g, n, beta_a, ga, lda};   // dA (k, m) += op(B) G^T
    // d op(B) = op(A)^T G (k, n); dB is that, or its transpose when tb.
    const GemmArgs<T> db = !tb_ ? GemmArgs<T>{!ta_, false, k, n, m, T(1), a, lda, g, n, beta_b, gb, ldb}  // dB (k, n) += op(A)^T G
                                : GemmArgs<T>{true, ta_, n, k, m, T(1), g, n, a, lda, beta_b, gb, ldb};  // dB (n, k) += G^T op(A)
    both_gradients(c.par, ga, gb, da, db);
  }

 private:
  bool ta_, tb_;
};

// ---- linear: y (batch, out) = x (batch, in) W^T + b, W (out, in), b (out)

// Rows of the output gradient summed together for the bias gradient; the
// chunks depend only on the shape, and are added in chunk order.
constexpr std::int64_t kBiasRows = 64;

std::int64_t bias_chunks(std::int64_t rows) { return (rows + kBiasRows - 1) / kBiasRows; }

class LinearOp : public OpImpl<LinearOp> {
 public:
  std::string_view name() const override { return "linear"; }
  Shape infer(const std::vector<Shape>& in) const override {
    if (in.size() != 3) throw std::invalid_argument("expects 3 inputs (x, W, b)");
    const Shape &x = in[0], &w = in[1], &b = in[2];
    if (x.size() != 2) throw std::invalid_argument("x must be 2-D (batch, in), got " + to_string(x));
    if (w.size() != 2) throw std::invalid_argument("W must be 2-D (out, in), got " + to_string(w));
    if (b.size() != 1) throw std::invalid_argument("b must be 1-D (out), got " + to_string(b));
    if (x[1] != w[1])
      throw std::invalid_argument("x " + to_string(x) + " has " + std::to_string(x[1]) + " features but W " +
                                  to_string(w) + " expects " + std::to_string(w[1]));
    if (b[0] != w[0])
      throw std::invalid_argument("b " + to_string(b) + " does not match the " + std::to_string(w[0]) +
                                  " outputs of W " + to_string(w));
    return {x[0], w[0]};
  }
  Saves saves() const override { return {true, false}; }  // dx reads W, dW reads x
  bool assigns_grads() const override { return true; }
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape& out) const override {
    const std::int64_t chunks = bias_chunks(out[0]);
    return chunks > 1 ? chunks * out[1] : 0;  // per-chunk column sums
  }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t rows = (*c.out_shape)[0], out = (*c.out_shape)[1], in = (*c.in_shape[0])[1];
    const T *x = c.in[0], *w = c.in[1], *b = c.in[2];
    T* y = c.out;
    // The bias rows first, then the GEMM adds onto them (beta = 1): one pass
    // over y fewer than GEMM-then-bias, since beta = 0 makes BLAS clear y anyway.
    // Each GEMM tile writes its own bias rows, in the same parallel loop.
    GemmArgs<T> p{false, true, rows, out, in, T(1), x, in, w, in, T(1), y, out};
    p.row_init = b;
    gemm_together<T>({p}, c.par);
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    const std::int64_t rows = (*c.out_shape)[0], out = (*c.out_shape)[1], in = (*c.in_shape[0])[1];
    const T *x = c.in[0], *w = c.in[1], *g = c.gout;
    T *gx = c.gin[0], *gw = c.gin[1];
    // dx (rows, in) += G (rows, out) W (out, in);  dW (out, in) += G^T (out, rows) x (rows, in)
    both_gradients(c.par, gx, gw, GemmArgs<T>{false, false, rows, in, out, T(1), g, out, w, in, detail::grad_beta(c, 0), gx, in},
                   GemmArgs<T>{true, false, out, in, rows, T(1), g, out, x, in, detail::grad_beta(c, 1), gw, in});
    if (T* gb = c.gin[2]) bias_grad(c, g, rows, out, c.fresh_grad(2), gb);
  }

 private:

  // db[j] += (or =, if assign) the sum over chunks (in order) of the chunk's column sum (rows in order).
  template <class T>
  void bias_grad(const OpCtx<T>& c, const T* g, std::int64_t rows, std::int64_t out, bool assign, T* gb) const {
    const std::int64_t chunks = bias_chunks(rows);
    if (chunks <= 1) {
      c.par->for_range(out, kGrain / kBiasRows, [&](std::int64_t j0, std::int64_t j1) {
        for (std::int64_t j = j0; j < j1; ++j) {
          T s = T(0);
          for (std::int64_t r = 0; r < rows; ++r) s += g[r * out + j];
          gb[j] = assign ? s : gb[j] + s;
        }
      });
      return;
    }
    T* part = c.aux;  // (chunks, out)
    c.par->for_range(chunks, 1, [&](std::int64_t c0, std::int64_t c1) {
      for (std::int64_t ch = c0; ch < c1; ++ch) {
        T* p = part + ch * out;
        std::fill(p, p + out, T(0));
        const std::int64_t r1 = std::min(rows, (ch + 1) * kBiasRows);
        for (std::int64_t r = ch * kBiasRows; r < r1; ++r) {
          const T* gr = g + r * out;
          for (std::int64_t j = 0; j < out; ++j) p[j] += gr[j];
        }
      }
    });
    c.par->for_range(out, kGrain / kBiasRows, [&](std::int64_t j0, std::int64_t j1) {
      for (std::int64_t j = j0; j < j1; ++j) {
        T s = T(0);
        for (std::int64_t ch = 0; ch < chunks; ++ch) s += part[ch * out + j];
        gb[j] = assign ? s : gb[j] + s;
      }
    });
  }
};


}  // namespace

Var matmul(Var a, Var b, bool trans_a, bool trans_b) {
  if (a.g != b.g) throw std::invalid_argument("matmul on Vars of two different graphs");
  return a.graph().apply(std::make_shared<MatmulOp>(trans_a, trans_b), {a, b});
}

Var linear(Var x, Var w, Var b) {
  if (x.g != w.g || x.g != b.g) throw std::invalid_argument("linear on Vars of different graphs");
  return x.graph().apply(std::make_shared<LinearOp>(), {x, w, b});
}

}  // namespace aeg
