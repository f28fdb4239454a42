// How a backward kernel writes an input gradient: added into it, or assigned
// when the executor left the buffer uncleared for this op (OpCtx::fresh_grad).
// Internal to engine/ops.
#pragma once
#include <cstddef>
#include <type_traits>

#include "engine/op.hpp"

// Ops no longer register by macro (engine/registry.cpp lists them). matmul.cpp,
// owned elsewhere, still has two AEG_REGISTER_OP lines: this empty definition
// keeps it compiling until they go, and then goes too.
#define AEG_REGISTER_OP(name) static_assert(true)

namespace aeg::detail {

// f(std::true_type) to assign, f(std::false_type) to add: the choice is made
// once per call, outside the kernel's loop.
template <class F>
void with_grad_write(bool assign, F&& f) {
  if (assign)
    f(std::true_type{});
  else
    f(std::false_type{});
}

template <bool Assign, class T>
inline void write_grad(T& dst, T v) {
  if constexpr (Assign)
    dst = v;
  else
    dst += v;
}

// GEMM's beta for gin[k]: 0 to assign, 1 to add.
template <class T>
inline T grad_beta(const OpCtx<T>& c, std::size_t k) {
  return c.fresh_grad(k) ? T(0) : T(1);
}

}  // namespace aeg::detail
