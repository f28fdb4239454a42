// conv2d (PyTorch's F.conv2d, dilation 1): per sample, out_n = W col(x_n) + b
// with col = im2col, one GEMM each. The batch is split into fixed blocks
// (detail::BatchBlocks) run in parallel, each with its own column buffer in
// the node's aux state and GEMMs on one thread; backward adds per-block
// weight and bias partials in block order, so the bits never depend on the
// thread count. A single sample runs unsplit and lets the GEMM split instead.
// One or two output channels at stride 1 skip the columns (conv_direct.hpp).
// conv2d_relu applies the ReLU to each sample's output while it is in cache and,
// in backward, masks each sample's output gradient into a block buffer: two
// passes over the whole activation fewer than conv2d then relu.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/kernels/conv_dispatch.hpp"
#include "engine/kernels/gemm.hpp"
#include "engine/kernels/im2col.hpp"
#include "engine/kernels/parallel.hpp"
#include "engine/ops.hpp"
#include "engine/ops/conv_backward.hpp"
#include "engine/ops/grad_write.hpp"
#include "engine/ops/relu.hpp"

namespace aeg {
namespace {

using detail::BatchBlocks;
using detail::ConvGeom;

class Conv2dOp : public OpImpl<Conv2dOp> {
 public:
  Conv2dOp(std::int64_t stride, std::int64_t padding, bool bias, bool relu = false)
      : stride_(stride), pad_(padding), bias_(bias), relu_(relu) {}
  std::string_view name() const override { return "conv2d"; }
  std::string attrs() const override {
    return "stride=" + std::to_string(stride_) + " padding=" + std::to_string(pad_) + (bias_ ? "" : " bias=false") +
           (relu_ ? " relu" : "");
  }

  Shape infer(const std::vector<Shape>& in) const override {
    if (in.size() != (bias_ ? 3u : 2u)) throw std::invalid_argument("expects x, w" + std::string(bias_ ? " and b" : ""));
    const Shape &x = in[0], &w = in[1];
    if (stride_ < 1) throw std::invalid_argument("stride must be >= 1, got " + std::to_string(stride_));
    if (pad_ < 0) throw std::invalid_argument("padding must be >= 0, got " + std::to_string(pad_));
    if (x.size() != 4) throw std::invalid_argument("expects x as (N, C, H, W), got " + to_string(x));
    if (w.size() != 4)
      throw std::invalid_argument("expects w as (out_channels, in_channels, kh, kw), got " + to_string(w));
    if (x[1] != w[1])
      throw std::invalid_argument("x " + to_string(x) + " has " + std::to_string(x[1]) + " channels but w " +
                                  to_string(w) + " expects " + std::to_string(w[1]));
    if (bias_ && in[2] != Shape{w[0]})
      throw std::invalid_argument("b " + to_string(in[2]) + " must be (" + std::to_string(w[0]) +
                                  ") for w " + to_string(w));
    if (w[0] < 1 || w[2] < 1 || w[3] < 1) throw std::invalid_argument("w " + to_string(w) + " has an empty side");
    if (x[2] + 2 * pad_ < w[2] || x[3] + 2 * pad_ < w[3])
      throw std::invalid_argument("kernel " + std::to_string(w[2]) + "x" + std::to_string(w[3]) + " of w " +
                                  to_string(w) + " is larger than x " + to_string(x) + " padded by " +
                                  std::to_string(pad_));
    const ConvGeom g = geom(x, w);
    return {x[0], w[0], g.oh, g.ow};
  }
  // Backward reads x (to rebuild the columns for dW) and w (for dx); a fused ReLU its output.
  Saves saves() const override { return {true, relu_}; }
  bool assigns_grads() const override { return true; }
  // Per block: a column buffer; with more than one block, weight and bias
  // partials; with a fused ReLU, one sample's masked output gradient.
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape&) const override {
    const ConvGeom g = geom(in[0], in[1]);
    return aux_sizes(g, in[1][0]).total(BatchBlocks(in[0][0], numel(in[1])), relu_);
  }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const ConvGeom g = geom(*c.in_shape[0], *c.in_shape[1]);
    const std::int64_t O = (*c.in_shape[1])[0], K = g.rows(), L = g.cols(), img = g.image_size();
    const BatchBlocks bb((*c.in_shape[0])[0], numel(*c.in_shape[1]));
    const T* x = c.in[0];
    const T* w = c.in[1];
    const T* b = bias_ ? c.in[2] : nullptr;
    Parallel* inner = bb.count == 1 ? c.par : nullptr;
    const bool direct = detail::use_direct_conv(g, O);
    const std::int64_t colsz = column_space(g, O);
    auto block = [&](std::int64_t blk) {
      T* col = c.aux + blk * colsz;
      T* scratch = colsz ? col + K * L : nullptr;
      const std::int32_t* off = colsz ? detail::gather_offsets(g, scratch) : nullptr;
      for (std::int64_t n = bb.begin(blk); n < bb.end(blk); ++n) {
        const T* cn = x + n * img;
        T* yn = c.out + n * O * L;
        if (direct) {
          detail::dispatch::direct_conv_fwd(g, O, cn, w, b, yn);
        } else {
          if (!g.identity()) {
            detail::dispatch::im2col(g, cn, col, scratch, off);
            cn = col;
          }
          gemm(false, false, O, L, K, T(1), w, K, cn, L, T(0), yn, L, inner);
          if (b) detail::add_channel_bias(b, O, L, yn);
        }
        if (relu_) detail::relu_in_place(yn, O * L);
      }
    };
    detail::run_blocks(*c.par, bb, block);
  }

  template <class T>
  void bwd(const OpCtx<T>& c) const {
    T* gx = c.gin[0];
    T* gw = c.gin[1];
    T* gb = bias_ ? c.gin[2] : nullptr;
    if (!gx && !gw && !gb) return;
    const ConvGeom g = geom(*c.in_shape[0], *c.in_shape[1]);
    const std::int64_t O = (*c.in_shape[1])[0], K = g.rows(), L = g.cols(), img = g.image_size();
    const BatchBlocks bb((*c.in_shape[0])[0], numel(*c.in_shape[1]));
    const detail::ConvBackward<T> back(c, bb, aux_sizes(g, O), relu_, bias_);
    const T* x = c.in[0];
    const T* w = c.in[1];
    Parallel* inner = back.inner();
    const bool direct = detail::use_direct_conv(g, O);
    auto block = [&](std::int64_t blk) {
      const auto bl = back.block(blk, g);
      for (std::int64_t n = bb.begin(blk); n < bb.end(blk); ++n) {
        const T* gy = back.gout(bl, n);
        const T* xn = x + n * img;
        if (gw && direct) {
          detail::dispatch::direct_conv_dw(g, O, gy, xn, back.first_w(blk, n), bl.dw);
        } else if (gw) {  // dW (O, K) += gy (O, L) col^T (L, K)
          const T* cn = xn;
          if (!g.identity()) {
            detail::dispatch::im2col(g, xn, bl.col, bl.scratch, bl.off);
            cn = bl.col;
          }
          gemm(false, true, O, K, L, T(1), gy, L, cn, L, back.first_w(blk, n) ? T(0) : T(1), bl.dw, K, inner);
        }
        if (gb) detail::add_channel_sums(gy, O, L, back.first_b(blk, n), bl.db);
        if (gx) {  // dcol (K, L) = W^T (K, O) gy (O, L); dx += col2im(dcol)
          T* dxn = gx + n * img;
          if (direct) {
            if (c.fresh_grad(0)) std::fill(dxn, dxn + img, T(0));
            detail::dispatch::direct_conv_dx(g, O, w, gy, dxn);
          } else if (g.identity()) {
            gemm(true, false, K, L, O, T(1), w, K, gy, L, detail::grad_beta(c, 0), dxn, L, inner);
          } else {
            gemm(true, false, K, L, O, T(1), w, K, gy, L, T(0), bl.col, L, inner);
            detail::dispatch::col2im(g, bl.col, bl.scratch, bl.off, c.fresh_grad(0), dxn);
          }
        }
      }
    };
    detail::run_blocks(*c.par, bb, block);
    back.finish();
  }

 private:
  // A block's column buffer and its im2col scratch (none for 1x1 kernels or the direct path).
  static std::int64_t column_space(const ConvGeom& g, std::int64_t out_channels) {
    if (g.identity() || detail::use_direct_conv(g, out_channels)) return 0;
    return g.rows() * g.cols() + detail::scratch_size(g);
  }
  static detail::ConvAuxSizes aux_sizes(const ConvGeom& g, std::int64_t out_channels) {
    return {column_space(g, out_channels), out_channels * g.rows(), out_channels, out_channels * g.cols()};
  }

  ConvGeom geom(const Shape& x, const Shape& w) const {
    ConvGeom g;
    g.c = x[1];
    g.h = x[2];
    g.w = x[3];
    g.kh = w[2];
    g.kw = w[3];
    g.stride = stride_;
    g.pad = pad_;
    g.oh = (g.h + 2 * pad_ - g.kh) / stride_ + 1;
    g.ow = (g.w + 2 * pad_ - g.kw) / stride_ + 1;
    return g;
  }

  std::int64_t stride_, pad_;
  bool bias_, relu_;
};

}  // namespace

Var conv2d(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding) {
  return x.graph().apply(std::make_shared<Conv2dOp>(stride, padding, true), {x, w, b});
}

Var conv2d(Var x, Var w, std::int64_t stride, std::int64_t padding) {
  return x.graph().apply(std::make_shared<Conv2dOp>(stride, padding, false), {x, w});
}

Var conv2d_relu(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding) {
  return x.graph().apply(std::make_shared<Conv2dOp>(stride, padding, true, true), {x, w, b});
}

}  // namespace aeg
