// How a backward kernel writes an input gradient: added into it, or assigned
// when the executor left the buffer uncleared for this op (OpCtx::fresh_grad).
// Internal to engine/ops.
#pragma once
#include <type_traits>

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

}  // namespace aeg::detail
