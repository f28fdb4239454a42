// Adam's update of one range of a parameter: built per instruction set, for
// float, in the kernel table (engine/kernels/isa/kernels.hpp): sqrt and division on 16
// lanes ran it in half the time of 8 on AMD Zen 5. Internal to the engine.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"

#include <cmath>
#include <cstdint>

#include "engine/kernels/adam_scalars.hpp"

namespace aeg::detail::inline AEG_ISA {

// One pass over the four arrays. Restrict parameters (they never overlap),
// scalars by value and no branch inside let GCC vectorise it, sqrt and
// division included (locals declared restrict are not enough for it).
template <class T, bool Decay>
void adam_pass(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, std::int64_t n,
               const AdamScalars<T> k) {
  for (std::int64_t i = 0; i < n; ++i) {
    T d = g[i];
    if constexpr (Decay) d = d + k.wd * p[i];
    m[i] = k.b1 * m[i] + k.c1 * d;
    v[i] = k.b2 * v[i] + k.c2 * d * d;
    const T denom = std::sqrt(v[i]) / k.bc2_sqrt + k.eps;
    p[i] = p[i] - k.step_size * m[i] / denom;
  }
}

// The table's entry: both forms, chosen per call (per range, not per element).
inline void adam_pass_float(float* p, const float* g, float* m, float* v, std::int64_t n,
                            const AdamScalars<float>& k, bool decay) {
  if (decay)
    adam_pass<float, true>(p, g, m, v, n, k);
  else
    adam_pass<float, false>(p, g, m, v, n, k);
}

}  // namespace aeg::detail::inline AEG_ISA
