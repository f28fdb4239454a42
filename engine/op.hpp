// What an op is: shape inference, a forward that writes its output, and a
// backward that *adds* into the gradients of the inputs that need one (or,
// for ops that say so, assigns the ones the executor has not cleared).
// Ops are immutable attribute holders shared by graphs and executors.
//
// This is also the contract for an op written outside the library: a class
// deriving from OpImpl<MyOp> (name, infer, saves, and fwd / bwd templates over
// T = float and double), put in a graph by
//   Var y = x.graph().apply(std::make_shared<MyOp>(attrs), {x});
// and checked with gradcheck (engine/gradcheck.hpp); examples/custom_op.cpp is
// one. Its kernels write every output element in forward, add into each
// gradient gin[k] that is not null in backward (and assign only when the op says
// assigns_grads() and fresh_grad(k)), never write an input, and run on the
// calling thread (OpCtx::par is the library's own kernels' thread pool). Only
// the library's ops are in registered_ops() and its gradient sweep.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tensor.hpp"

namespace aeg {

class Parallel;
class Rng;

// Everything a kernel sees for one node of one executor; built once per
// executor, so the per-step loop only follows pointers.
template <class T>
struct OpCtx {
  std::vector<const T*> in;            // input values
  std::vector<const Shape*> in_shape;
  T* out = nullptr;                    // output value
  const Shape* out_shape = nullptr;
  const T* gout = nullptr;             // gradient of the output (backward only)
  std::vector<T*> gin;                 // input gradients to add into; nullptr = not needed
  unsigned fresh = 0;                  // bit k: gin[k] is uncleared, so assign it (Op::assigns_grads)
  T* aux = nullptr;                    // per-node state kept from forward to backward
  Parallel* par = nullptr;
  Rng* rng = nullptr;
  bool training = true;                // random ops are the identity when false

  bool fresh_grad(std::size_t k) const { return (fresh >> k) & 1u; }
  std::int64_t in_size(std::size_t i) const { return numel(*in_shape[i]); }
  std::int64_t out_size() const { return numel(*out_shape); }
};

// What backward reads, which decides how long buffers live.
struct Saves {
  bool inputs = false;
  bool output = false;
};

// How an op's value depends on the rows of a batch together (train/data_parallel.cpp
// trains a batch as blocks of rows, which is exact only for ops whose value is a sum
// over rows): not at all, through a statistic of the whole batch (a block would see
// its own), or through such a statistic given to it as an input (so a block can be
// fed the whole batch's).
enum class RowCoupling { None, BatchStatistic, GivenBatchStatistic };

class Op {
 public:
  virtual ~Op() = default;
  virtual std::string_view name() const = 0;     // the registered name, e.g. "sigmoid"
  virtual std::string attrs() const { return {}; }  // e.g. "axis=1", for drawing
  // Output shape; throws std::invalid_argument with a message naming the problem.
  virtual Shape infer(const std::vector<Shape>& in) const = 0;
  virtual Saves saves() const = 0;
  // Elements of per-node state (a noise mask, a column buffer) the executor keeps.
  virtual std::int64_t aux_size(const std::vector<Shape>& /*in*/, const Shape& /*out*/) const {
    return 0;
  }
  virtual bool is_random() const { return false; }
  // True if backward honours OpCtx::fresh: an input gradient this op is the
  // first to write is assigned, which spares the executor a pass clearing it.
  virtual bool assigns_grads() const { return false; }
  // True if the output is the input's elements, in order, under another shape
  // (reshape): the plan may let it share the input's buffers and skip running it.
  virtual bool is_view() const { return false; }
  virtual RowCoupling row_coupling() const { return RowCoupling::None; }

  virtual void forward(const OpCtx<float>& c) const = 0;
  virtual void forward(const OpCtx<double>& c) const = 0;
  virtual void backward(const OpCtx<float>& c) const = 0;
  virtual void backward(const OpCtx<double>& c) const = 0;
};

// Write an op once over the scalar type: derive from OpImpl<MyOp> and define
//   template <class T> void fwd(const OpCtx<T>&) const;
//   template <class T> void bwd(const OpCtx<T>&) const;
template <class Derived>
class OpImpl : public Op {
 public:
  void forward(const OpCtx<float>& c) const override { self().fwd(c); }
  void forward(const OpCtx<double>& c) const override { self().fwd(c); }
  void backward(const OpCtx<float>& c) const override { self().bwd(c); }
  void backward(const OpCtx<double>& c) const override { self().bwd(c); }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace aeg
