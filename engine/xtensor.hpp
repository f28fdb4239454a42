// xtensor at aegraph's boundary: feed inputs from any xtensor expression, read
// values, gradients and parameters as zero-copy xtensor views, and make the
// tensors a ParamStore holds from xtensor. In a header of its own, so the rest of
// the engine's headers (and the kernels) do without xtensor.
//
//   xt::xtensor<float, 2> batch = ...;               // (256, 784)
//   aeg::set_input(ex, x, batch);                    // shape-checked copy
//   aeg::set_input(ex, x, xt::clip(batch, 0, 1));    // or any expression
//   ex.forward(); ex.backward();
//   auto z  = aeg::value_view(ex, code);             // views: no copy, row-major
//   auto dW = aeg::grad_view(ex, W);
//   auto W0 = aeg::param_view(params, "W");          // writable: the store's own values
//   params.add("W", aeg::to_tensor(xt::eval(0.01 * xt::random::randn<float>({64, 784}))));
//
// Views are dynamic-rank xt::xarray_adaptors over aegraph's buffers: they show
// what is there when read (each forward() and backward() rewrites the executor's
// buffers, each optimizer step the parameters), and are valid while the executor
// or ParamStore they came from lives (the store's entries never move). Read a
// value or gradient the executor keeps: see Executor::value_data and grad_data.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xexpression.hpp>

#include "engine/executor.hpp"
#include "engine/param_store.hpp"
#include "engine/tensor.hpp"

namespace aeg {

namespace detail {

inline std::vector<std::size_t> xt_shape(const Shape& s) { return {s.begin(), s.end()}; }

template <class S>
Shape aeg_shape(const S& s) {
  return Shape(s.begin(), s.end());
}

}  // namespace detail

// A view of a Tensor's elements (writable if the tensor is).
template <class T>
auto view(Tensor<T>& t) {
  return xt::adapt(t.ptr(), t.data.size(), xt::no_ownership(), detail::xt_shape(t.shape));
}
template <class T>
auto view(const Tensor<T>& t) {
  return xt::adapt(t.ptr(), t.data.size(), xt::no_ownership(), detail::xt_shape(t.shape));
}

// Evaluates an expression into a Tensor (for ParamStore::add, Executor::set_input, ...).
template <class T = void, class E>
auto to_tensor(const xt::xexpression<E>& expr) {
  using V = std::conditional_t<std::is_void_v<T>, typename E::value_type, T>;
  const E& e = expr.derived_cast();
  Tensor<V> t(detail::aeg_shape(e.shape()));
  view(t) = e;
  return t;
}

// Copies an expression into the input's own buffer. Its shape must be the input's
// exactly (no broadcasting): else std::invalid_argument naming the input and both shapes.
template <class T, class E>
void set_input(Executor<T>& ex, Var input, const xt::xexpression<E>& expr) {
  const E& e = expr.derived_cast();
  const Plan& plan = ex.plan();
  if (!plan.has(input) || plan.graph().node(input.id).kind != NodeKind::Input)
    throw std::invalid_argument("set_input: not an input of the executor's graph");
  const Shape& want = plan.graph().node(input.id).shape;
  const Shape got = detail::aeg_shape(e.shape());
  if (want != got)
    throw std::invalid_argument("set_input: input '" + ex.plan().graph().label(input.id) + "' has shape " +
                                to_string(want) + ", the expression " + to_string(got));
  auto dst = xt::adapt(ex.input_data(input), static_cast<std::size_t>(numel(want)), xt::no_ownership(),
                       detail::xt_shape(want));
  dst = e;
}

// The value of v as the executor last computed it (outputs, inputs, parameters;
// every node under reuse_memory = false).
template <class T>
auto value_view(const Executor<T>& ex, Var v) {
  const T* p = ex.value_data(v);
  const Shape& s = ex.plan().graph().node(v.id).shape;
  return xt::adapt(p, static_cast<std::size_t>(numel(s)), xt::no_ownership(), detail::xt_shape(s));
}

// The gradient of v after backward() (inputs that require one, parameters).
template <class T>
auto grad_view(const Executor<T>& ex, Var v) {
  const T* p = ex.grad_data(v);
  const Shape& s = ex.plan().graph().node(v.id).shape;
  return xt::adapt(p, static_cast<std::size_t>(numel(s)), xt::no_ownership(), detail::xt_shape(s));
}

// A parameter's value and gradient in the store, writable (ParamStore::at throws
// naming a missing one).
template <class T>
auto param_view(ParamStore<T>& params, const std::string& name) {
  return view(params.at(name).value);
}
template <class T>
auto param_grad_view(ParamStore<T>& params, const std::string& name) {
  return view(params.at(name).grad);
}

}  // namespace aeg
