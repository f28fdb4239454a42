// The bookkeeping that conv2d's and conv_transpose2d's backward passes share. The
// batch runs in blocks of samples (BatchBlocks); a node's aux memory holds, per
// block, its im2col columns, then (when the batch is split) each block's partial
// weight and bias gradients, then (fused ReLU) each block's gradient mask. A block
// accumulates its samples' dW and db into its partials, or straight into the
// gradients when there is one block; the partials are summed in block order at
// the end, so the bits do not depend on the thread count. Internal to engine/ops.
#pragma once
#include <cstdint>

#include "engine/kernels/im2col.hpp"
#include "engine/op.hpp"
#include "engine/ops/relu.hpp"

namespace aeg::detail {

// Elements per block of each part of the aux memory.
struct ConvAuxSizes {
  std::int64_t columns;  // im2col columns and scratch (0: none)
  std::int64_t weight;   // one partial weight gradient
  std::int64_t bias;     // one partial bias gradient
  std::int64_t output;   // one sample's output (the ReLU mask)
  std::int64_t total(const BatchBlocks& bb, bool relu) const {
    return bb.count * (columns + (bb.count > 1 ? weight + bias : 0) + (relu ? output : 0));
  }
};

template <class T>
class ConvBackward {
 public:
  // What one block works with: its columns, scratch and gather offsets, where its dW
  // and db go, and its ReLU mask.
  struct Block {
    T* col;
    T* scratch;
    const std::int32_t* off;
    T* dw;
    T* db;
    T* mask;
  };

  ConvBackward(const OpCtx<T>& c, const BatchBlocks& bb, const ConvAuxSizes& a, bool relu, bool bias)
      : c_(c), bb_(bb), a_(a), relu_(relu), bias_(bias), split_(bb.count > 1), gw_(c.gin[1]), gb_(bias ? c.gin[2] : nullptr) {
    part_w_ = c.aux + bb.count * a.columns;
    part_b_ = part_w_ + bb.count * a.weight;
    masks_ = split_ ? part_b_ + bb.count * a.bias : part_w_;
  }

  bool split() const { return split_; }
  Parallel* inner() const { return split_ ? nullptr : c_.par; }  // a lone block parallelises inside its GEMMs

  Block block(std::int64_t blk, const ConvGeom& g) const {
    Block b;
    b.col = c_.aux + blk * a_.columns;
    b.scratch = a_.columns ? b.col + g.rows() * g.cols() : nullptr;
    b.off = a_.columns ? gather_offsets(g, b.scratch) : nullptr;
    b.dw = split_ ? part_w_ + blk * a_.weight : gw_;
    b.db = split_ ? part_b_ + blk * a_.bias : gb_;
    b.mask = masks_ + blk * a_.output;
    return b;
  }
  // Whether sample n's dW (db) starts a block's partial or an uncleared gradient.
  bool first_w(std::int64_t blk, std::int64_t n) const {
    return (split_ && n == bb_.begin(blk)) || (!split_ && n == 0 && c_.fresh_grad(1));
  }
  bool first_b(std::int64_t blk, std::int64_t n) const {
    return (split_ && n == bb_.begin(blk)) || (!split_ && n == 0 && bias_ && c_.fresh_grad(2));
  }
  // Sample n's output gradient, through the fused ReLU's mask when there is one.
  const T* gout(const Block& b, std::int64_t n) const {
    const T* gy = c_.gout + n * a_.output;
    if (!relu_) return gy;
    relu_grad(gy, c_.out + n * a_.output, a_.output, b.mask);
    return b.mask;
  }
  // The blocks' partials into the gradients, in block order.
  void finish() const {
    if (!split_) return;
    if (gw_) add_parts(*c_.par, part_w_, bb_.count, a_.weight, c_.fresh_grad(1), gw_);
    if (gb_) add_parts(*c_.par, part_b_, bb_.count, a_.bias, c_.fresh_grad(2), gb_);
  }

 private:
  const OpCtx<T>& c_;
  const BatchBlocks& bb_;
  ConvAuxSizes a_;
  bool relu_, bias_, split_;
  T* gw_;
  T* gb_;
  T* part_w_;
  T* part_b_;
  T* masks_;
};

}  // namespace aeg::detail
