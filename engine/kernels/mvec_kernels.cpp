// Built with -ffast-math (engine/CMakeLists.txt) so that glibc's headers declare
// the vector variants of expf and log1pf; nothing else lives in this file. Built
// twice: as it is for the x86-64-v3 baseline (libmvec's 8-lane AVX2 variants),
// and by engine/kernels/isa/mvec_kernels_avx512.cpp (its 16-lane AVX-512 ones).
//
// libmvec's 16-lane, 8-lane and scalar expf do not round alike, so every element
// goes through the same 16-lane block, the tail padded: an element's bits must not
// depend on where a thread's chunk of the range starts or ends.
#include "engine/kernels/mvec_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace aeg::detail::inline AEG_ISA {
namespace {

constexpr std::int64_t kLanes = 16;

// Out of line, so that the compiler cannot re-vectorise a block inside a caller's
// loop with other widths.

__attribute__((noinline)) void term_block(const float* __restrict l, const float* __restrict x, float* __restrict v) {
  for (std::int64_t i = 0; i < kLanes; ++i) {
    const float a = l[i];
    v[i] = (a > 0.f ? a : 0.f) - a * x[i] + log1pf(expf(-std::fabs(a)));
  }
}

// sigmoid(a) = 1 / (1 + e^-a) for a >= 0, e^a / (1 + e^a) otherwise: e = e^-|a| in
// (0, 1], no overflow on either side.
inline float sigmoid_lane(float a) {
  const float e = expf(-std::fabs(a));
  return (a >= 0.f ? 1.f : e) / (1.f + e);
}

__attribute__((noinline)) void grad_block(const float* __restrict l, const float* __restrict x, float g, float* __restrict d) {
  for (std::int64_t i = 0; i < kLanes; ++i) d[i] = g * (sigmoid_lane(l[i]) - x[i]);
}

__attribute__((noinline)) void sigmoid_block(const float* __restrict l, const float*, float* __restrict y) {
  for (std::int64_t i = 0; i < kLanes; ++i) y[i] = sigmoid_lane(l[i]);
}

// Runs block(l, x, out) over [0, n) in kLanes steps and hands each block's results to
// take(out, offset, count); the last partial block reads zero-padded copies. x may
// be null for a block that reads l only.
template <class Block, class Take>
void by_blocks(const float* l, const float* x, std::int64_t n, Block block, Take take) {
  alignas(64) float out[kLanes];
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    block(l + i, x ? x + i : nullptr, out);
    take(out, i, kLanes);
  }
  if (const std::int64_t rest = n - i; rest > 0) {
    alignas(64) float lt[kLanes] = {}, xt[kLanes] = {};
    std::copy(l + i, l + n, lt);
    if (x) std::copy(x + i, x + n, xt);
    block(lt, xt, out);
    take(out, i, rest);
  }
}

}  // namespace

// One double accumulator per lane, added up at the end: one running sum was a
// chain of dependent adds, 4 cycles an element, slower than the terms themselves.
double bce_logits_sum(const float* __restrict l, const float* __restrict x, std::int64_t n) {
  double lane[kLanes] = {};
  auto add = [&](const float* v, std::int64_t, std::int64_t m) {
    for (std::int64_t j = 0; j < m; ++j) lane[j] += static_cast<double>(v[j]);
  };
  by_blocks(l, x, n, term_block, add);
  double s = 0;
  for (double v : lane) s += v;
  return s;
}

void bce_logits_grad(const float* __restrict l, const float* __restrict x, float g, bool assign, float* __restrict ga,
                     std::int64_t n) {
  auto block = [g](const float* a, const float* b, float* d) { grad_block(a, b, g, d); };
  auto write = [&](const float* d, std::int64_t at, std::int64_t m) {
    if (assign)
      for (std::int64_t j = 0; j < m; ++j) ga[at + j] = d[j];
    else
      for (std::int64_t j = 0; j < m; ++j) ga[at + j] += d[j];
  };
  by_blocks(l, x, n, block, write);
}

void sigmoid_values(const float* __restrict x, float* __restrict y, std::int64_t n) {
  auto write = [&](const float* v, std::int64_t at, std::int64_t m) { std::copy(v, v + m, y + at); };
  by_blocks(x, nullptr, n, sigmoid_block, write);
}

}  // namespace aeg::detail::inline AEG_ISA
