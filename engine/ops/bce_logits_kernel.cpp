// Built with -ffast-math (engine/CMakeLists.txt) so that glibc's headers declare
// the vector variants of expf and log1pf; nothing else lives in this file.
#include "engine/ops/bce_logits_kernel.hpp"

#include <cmath>

namespace aeg::detail {

double bce_logits_sum(const float* __restrict l, const float* __restrict x, std::int64_t n) {
  double s = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float a = l[i];
    const float v = (a > 0.f ? a : 0.f) - a * x[i] + log1pf(expf(-std::fabs(a)));
    s += static_cast<double>(v);
  }
  return s;
}

void bce_logits_grad(const float* __restrict l, const float* __restrict x, float g, bool assign, float* __restrict ga,
                     std::int64_t n) {
  auto d = [&](std::int64_t i) {
    const float a = l[i];
    const float e = expf(-std::fabs(a));  // in (0, 1]: no overflow on either side
    const float s = (a >= 0.f ? 1.f : e) / (1.f + e);
    return g * (s - x[i]);
  };
  if (assign)
    for (std::int64_t i = 0; i < n; ++i) ga[i] = d(i);
  else
    for (std::int64_t i = 0; i < n; ++i) ga[i] += d(i);
}

}  // namespace aeg::detail
