// conv_transpose2d (PyTorch's F.conv_transpose2d, dilation 1, groups 1): the
// adjoint of conv2d in x. Per sample, col = W^T x_n (one GEMM) and
// out_n = col2im(col) + b; backward is the conv2d forward: dcol = im2col(gy_n),
// dx_n += W dcol, dW += x_n dcol^T. Batch blocks, aux buffers and ordered
// partial sums as in conv.cpp, and the fused ReLU of conv_transpose2d_relu too.
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

class ConvTranspose2dOp : public OpImpl<ConvTranspose2dOp> {
 public:
  // Output padding per side (height, width): an odd and an even side of one image
  // need different ones to come back to their size.
  ConvTranspose2dOp(std::int64_t stride, std::int64_t padding, std::int64_t output_padding_h,
                    std::int64_t output_padding_w, bool bias, bool relu = false)
      : stride_(stride), pad_(padding), out_pad_(output_padding_h), out_pad_w_(output_padding_w), bias_(bias),
        relu_(relu) {}
  std::string_view name() const override { return "conv_transpose2d"; }
  std::string attrs() const override {
    return "stride=" + std::to_string(stride_) + " padding=" + std::to_string(pad_) +
           " output_padding=" + std::to_string(out_pad_) +
           (out_pad_w_ != out_pad_ ? "x" + std::to_string(out_pad_w_) : "") + (bias_ ? "" : " bias=false") + (relu_ ? " relu" : "");
  }

  Shape infer(const std::vector<Shape>& in) const override {
    if (in.size() != (bias_ ? 3u : 2u)) throw std::invalid_argument("expects x, w" + std::string(bias_ ? " and b" : ""));
    const Shape &x = in[0], &w = in[1];
    if (stride_ < 1) throw std::invalid_argument("stride must be >= 1, got " + std::to_string(stride_));
    if (pad_ < 0) throw std::invalid_argument("padding must be >= 0, got " + std::to_string(pad_));
    for (const std::int64_t op : {out_pad_, out_pad_w_})
      if (op < 0 || op >= stride_)
        throw std::invalid_argument("output_padding " + std::to_string(op) + " must be >= 0 and smaller than stride " +
                                    std::to_string(stride_));
    if (x.size() != 4) throw std::invalid_argument("expects x as (N, C_in, H, W), got " + to_string(x));
    if (w.size() != 4)
      throw std::invalid_argument("expects w as (in_channels, out_channels, kh, kw), got " + to_string(w));
    if (x[1] != w[0])
      throw std::invalid_argument("x " + to_string(x) + " has " + std::to_string(x[1]) + " channels but w " +
                                  to_string(w) + " expects " + std::to_string(w[0]));
    if (bias_ && in[2] != Shape{w[1]})
      throw std::invalid_argument("b " + to_string(in[2]) + " must be (" + std::to_string(w[1]) +
                                  ") for w " + to_string(w));
    if (w[1] < 1 || w[2] < 1 || w[3] < 1) throw std::invalid_argument("w " + to_string(w) + " has an empty side");
    if (x[2] < 1 || x[3] < 1) throw std::invalid_argument("x " + to_string(x) + " has an empty side");
    const ConvGeom g = geom(x, w);
    if (g.h < 1 || g.w < 1)
      throw std::invalid_argument("x " + to_string(x) + " and w " + to_string(w) + " give an empty output " +
                                  std::to_string(g.h) + "x" + std::to_string(g.w) + " with padding " +
                                  std::to_string(pad_));
    return {x[0], w[1], g.h, g.w};
  }
  // Backward reads x (for dW) and w (for dx); a fused ReLU its output.
  Saves saves() const override { return {true, relu_}; }
  bool assigns_grads() const override { return true; }
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape&) const override {
    const ConvGeom g = geom(in[0], in[1]);
    return aux_sizes(g, in[1][0]).total(BatchBlocks(in[0][0], numel(in[1])), relu_);
  }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    // g's image is one output sample (C_out, OH, OW); its kernel positions are x's H x W.
    const ConvGeom g = geom(*c.in_shape[0], *c.in_shape[1]);
    const std::int64_t Ci = (*c.in_shape[1])[0], Co = g.c, K = g.rows(), L = g.cols(), img = g.image_size();
    const BatchBlocks bb((*c.in_shape[0])[0], numel(*c.in_shape[1]));
    const T* x = c.in[0];
    const T* w = c.in[1];  // (C_in, K)
    const T* b = bias_ ? c.in[2] : nullptr;
    Parallel* inner = bb.count == 1 ? c.par : nullptr;
    const std::int64_t colsz = column_space(g);
    const std::int64_t plane = g.h * g.w;
    auto block = [&](std::int64_t blk) {
      T* col = c.aux + blk * colsz;
      T* scratch = colsz ? col + K * L : nullptr;
      const std::int32_t* off = colsz ? detail::gather_offsets(g, scratch) : nullptr;
      for (std::int64_t n = bb.begin(blk); n < bb.end(blk); ++n) {
        const T* xn = x + n * Ci * L;
        T* yn = c.out + n * img;
        if (g.identity()) {
          gemm(true, false, K, L, Ci, T(1), w, K, xn, L, T(0), yn, L, inner);
        } else {
          gemm(true, false, K, L, Ci, T(1), w, K, xn, L, T(0), col, L, inner);
          detail::dispatch::col2im(g, col, scratch, off, true, yn);
        }
        if (b) detail::add_channel_bias(b, Co, plane, yn);
        if (relu_) detail::relu_in_place(yn, img);
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
    const std::int64_t Ci = (*c.in_shape[1])[0], Co = g.c, K = g.rows(), L = g.cols();
    const BatchBlocks bb((*c.in_shape[0])[0], numel(*c.in_shape[1]));
    const detail::ConvBackward<T> back(c, bb, aux_sizes(g, Ci), relu_, bias_);
    const T* x = c.in[0];
    const T* w = c.in[1];
    Parallel* inner = back.inner();
    const std::int64_t plane = g.h * g.w;
    auto block = [&](std::int64_t blk) {
      const auto bl = back.block(blk, g);
      for (std::int64_t n = bb.begin(blk); n < bb.end(blk); ++n) {
        const T* gy = back.gout(bl, n);
        if (gx || gw) {
          const T* dcol = gy;
          if (!g.identity()) {
            detail::dispatch::im2col(g, gy, bl.col, bl.scratch, bl.off);
            dcol = bl.col;
          }
          if (gx)  // dx_n (C_in, L) += W (C_in, K) dcol (K, L)
            gemm(false, false, Ci, L, K, T(1), w, K, dcol, L, detail::grad_beta(c, 0), gx + n * Ci * L, L, inner);
          if (gw)  // dW (C_in, K) += x_n (C_in, L) dcol^T (L, K)
            gemm(false, true, Ci, K, L, T(1), x + n * Ci * L, L, dcol, L, back.first_w(blk, n) ? T(0) : T(1), bl.dw, K, inner);
        }
        if (gb) detail::add_channel_sums(gy, Co, plane, back.first_b(blk, n), bl.db);
      }
    };
    detail::run_blocks(*c.par, bb, block);
    back.finish();
  }

 private:
  // A block's column buffer and its im2col scratch (none for 1x1 kernels).
  static std::int64_t column_space(const ConvGeom& g) {
    return g.identity() ? 0 : g.rows() * g.cols() + detail::scratch_size(g);
  }
  static detail::ConvAuxSizes aux_sizes(const ConvGeom& g, std::int64_t in_channels) {
    return {column_space(g), in_channels * g.rows(), g.c, g.image_size()};
  }

  // The conv2d geometry whose image is the output and whose kernel positions are x's pixels.
  ConvGeom geom(const Shape& x, const Shape& w) const {
    ConvGeom g;
    g.c = w[1];
    g.kh = w[2];
    g.kw = w[3];
    g.stride = stride_;
    g.pad = pad_;
    g.oh = x[2];
    g.ow = x[3];
    g.h = (x[2] - 1) * stride_ - 2 * pad_ + g.kh + out_pad_;
    g.w = (x[3] - 1) * stride_ - 2 * pad_ + g.kw + out_pad_w_;
    return g;
  }

  std::int64_t stride_, pad_, out_pad_, out_pad_w_;  // out_pad_: height
  bool bias_, relu_;
};

}  // namespace

Var conv_transpose2d(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding, std::int64_t output_padding) {
  return x.graph().apply(std::make_shared<ConvTranspose2dOp>(stride, padding, output_padding, output_padding, true), {x, w, b});
}

Var conv_transpose2d(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding, std::int64_t output_padding_h,
                     std::int64_t output_padding_w) {
  return x.graph().apply(
      std::make_shared<ConvTranspose2dOp>(stride, padding, output_padding_h, output_padding_w, true), {x, w, b});
}

Var conv_transpose2d(Var x, Var w, std::int64_t stride, std::int64_t padding, std::int64_t output_padding) {
  return x.graph().apply(std::make_shared<ConvTranspose2dOp>(stride, padding, output_padding, output_padding, false), {x, w});
}

Var conv_transpose2d_relu(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding,
                          std::int64_t output_padding) {
  return conv_transpose2d_relu(x, w, b, stride, padding, output_padding, output_padding);
}

Var conv_transpose2d_relu(Var x, Var w, Var b, std::int64_t stride, std::int64_t padding, std::int64_t output_padding_h,
                          std::int64_t output_padding_w) {
  return x.graph().apply(
      std::make_shared<ConvTranspose2dOp>(stride, padding, output_padding_h, output_padding_w, true, true), {x, w, b});
}

}  // namespace aeg
