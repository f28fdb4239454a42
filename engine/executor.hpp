// Runs a Plan: allocates every buffer once, then forward() / backward() for
// every batch with no further allocation. T is float for training and double
// for gradient checks.
//
// Lifetimes: the executor keeps its own copy of the plan (which keeps its copy
// of the graph), so `Executor<float> ex(compile(g, {loss}), params)` is safe and
// the graph may go first. It uses `params` in place: the ParamStore must outlive
// it (adding parameters to the store later is fine; entries never move). Memory
// given to bind_input must stay alive and unchanged until that input is fed
// again or the executor goes.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/op.hpp"
#include "engine/param_store.hpp"
#include "engine/plan.hpp"
#include "engine/rng.hpp"

namespace aeg {

struct ExecOptions {
  int threads = 1;
  std::uint64_t seed = 0;        // for the random ops' generator
  bool profile = false;          // time every op (see op_times())
  std::ostream* trace = nullptr; // print every forward and backward step with values
  bool huge_pages = true;        // planned buffers on transparent huge pages (Linux)
};

// Values as the trace prints them: a bare number for one element, else up to
// eight in brackets ("[a, b, ... (n values)]"), six significant digits.
template <class T>
std::string trace_values(const T* p, std::int64_t n);

struct OpTime {
  std::string label, op;
  double forward_s = 0, backward_s = 0;
};

template <class T>
class Executor {
 public:
  // Parameters are used in place from `params` (never copied); they must all
  // exist there (ParamStore::init_from) with the graph's shapes. The plan is
  // copied (cheap: copies share the graph), or moved from a temporary.
  Executor(Plan plan, ParamStore<T>& params, ExecOptions options = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Feeding data. Every input the plan reads must be fed once before the first
  // forward(), by any of these (forward() throws naming one that was not); it
  // then keeps its data until fed again.
  // A shape-checked copy into the input's own buffer.
  void set_input(Var input, const Tensor<T>& value);
  // The input's own buffer (numel(shape) values, row-major) to write into.
  T* input_data(Var input);
  // Zero copy: read the input from caller memory, row-major, until the next
  // bind_input, set_input or input_data for it. `data` must hold exactly the
  // input's numel(shape) values (else std::invalid_argument naming the input,
  // its shape and the size given) and stay alive and unchanged meanwhile.
  void bind_input(Var input, std::span<const T> data);

  // Throws std::logic_error naming an input never fed.
  void forward();
  // Seeds every output's gradient with ones, then walks backward, adding into
  // parameter gradients (zero them with ParamStore::zero_grad or an optimizer).
  void backward();
  // Seeds with the given tensors, one per output, in the plan's output order.
  void backward(const std::vector<Tensor<T>>& seeds);

  // Values of outputs, inputs, parameters (and of every node when the plan
  // keeps all values); gradients of inputs that require one and of parameters.
  Tensor<T> value(Var v) const;
  const T* value_data(Var v) const;
  T scalar(Var v) const;  // the value of a one-element node
  Tensor<T> grad(Var v) const;
  // The gradient's own buffer (valid until the executor goes; backward() changes
  // it); throws as grad() does, and where no gradient flows into v at all.
  const T* grad_data(Var v) const;

  Rng& rng() { return rng_; }
  const Plan& plan() const { return plan_; }
  int threads() const;
  std::int64_t planned_bytes() const;  // arena + per-node state
  std::int64_t naive_bytes() const;    // one buffer per value and per gradient
  std::vector<OpTime> op_times() const;

 private:
  struct Impl;
  const T* grad_buffer(Var v) const;
  const Plan plan_;
  ExecOptions opt_;
  Rng rng_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aeg
