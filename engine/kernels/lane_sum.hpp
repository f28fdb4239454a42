// Sums in a fixed order that vectorises: 16 lane sums (lane k takes every 16th
// term from the first), then their total. One running sum is a chain of
// dependent adds, 4 cycles a term, often slower than the terms themselves
// (BCE's loss value, W3's bias gradients). The order depends on the range
// only, so callers that split work into fixed ranges keep their results
// independent of the thread count. Internal to engine/ops.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#include <cstdint>

namespace aeg::detail::inline AEG_ISA {

// The sum of term(i) for i in [lo, hi), accumulated in R.
template <class R, class F>
R lane_sum_of(std::int64_t lo, std::int64_t hi, F&& term) {
  constexpr std::int64_t kLanes = 16;
  R lane[kLanes] = {};
  std::int64_t i = lo;
  for (; i + kLanes <= hi; i += kLanes)
    for (std::int64_t k = 0; k < kLanes; ++k) lane[k] += static_cast<R>(term(i + k));
  for (std::int64_t k = 0; i + k < hi; ++k) lane[k] += static_cast<R>(term(i + k));
  R s = 0;
  for (R x : lane) s += x;
  return s;
}

// v[0] + ... + v[n-1].
template <class T>
T lane_sum(const T* __restrict v, std::int64_t n) {
  return lane_sum_of<T>(0, n, [v](std::int64_t i) { return v[i]; });
}

}  // namespace aeg::detail::inline AEG_ISA
