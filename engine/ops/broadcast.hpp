// Broadcasting for elementwise kernels, and the one `sum_to` that reduces a
// broadcast gradient back to an input's shape. Internal to engine/ops.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/kernels/lane_sum.hpp"
#include "engine/kernels/parallel.hpp"
#include "engine/tensor.hpp"

namespace aeg::detail {

constexpr std::int64_t kGrain = 1 << 14;  // elements per task for elementwise loops

// Strides (in elements) of `in` aligned to `out`'s rank, 0 along broadcast axes.
inline std::vector<std::int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<std::int64_t> st(out.size(), 0);
  std::int64_t s = 1;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const std::size_t i = in.size() - 1 - k, o = out.size() - 1 - k;
    st[o] = in[i] == 1 ? 0 : s;
    s *= in[i];
  }
  return st;
}

// Flat index into an input for flat index `i` of the output.
struct BroadcastIndex {
  Shape out;
  std::vector<std::int64_t> strides;
  bool same = false;    // input has the output's shape
  bool scalar = false;  // input has one element
  BroadcastIndex(const Shape& in, const Shape& o) : out(o), strides(broadcast_strides(in, o)) {
    same = in == o;
    scalar = numel(in) == 1;
  }
  std::int64_t operator()(std::int64_t i) const {
    if (same) return i;
    if (scalar) return 0;
    std::int64_t r = 0;
    for (std::size_t k = out.size(); k-- > 0;) {
      const std::int64_t d = out[k];
      r += (i % d) * strides[k];
      i /= d;
    }
    return r;
  }
};

// out[i] = f(a[ia(i)], b[ib(i)]) over the output.
template <class T, class F>
void broadcast_binary(Parallel& par, const T* a, const Shape& sa, const T* b, const Shape& sb, T* out,
                      const Shape& so, F f) {
  const std::int64_t n = numel(so);
  if (sa == so && sb == so) {
    par.for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) out[i] = f(a[i], b[i]);
    });
    return;
  }
  const BroadcastIndex ia(sa, so), ib(sb, so);
  par.for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i) out[i] = f(a[ia(i)], b[ib(i)]);
  });
}

// target += sum of g (shape `from`) over the axes broadcast to reach it from
// `to`. Each target element adds its pre-images in increasing order, so the
// result does not depend on the thread count.
template <class T>
void sum_to(Parallel& par, const T* g, const Shape& from, T* target, const Shape& to) {
  const std::int64_t n = numel(from), m = numel(to);
  if (from == to) {
    par.for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) target[i] += g[i];
    });
    return;
  }
  if (m == 1) {
    target[0] += par.template sum<T>(n, kGrain, [&](std::int64_t lo, std::int64_t hi) { return lane_sum(g + lo, hi - lo); });
    return;
  }
  // Common case: a row vector broadcast over leading rows (a bias).
  bool row = false;
  {
    Shape t = to;
    while (!t.empty() && t.front() == 1) t.erase(t.begin());
    row = !t.empty() && t.size() <= from.size() && std::equal(t.rbegin(), t.rend(), from.rbegin());
  }
  if (row) {
    const std::int64_t rows = n / m;
    par.for_range(m, 256, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t r = 0; r < rows; ++r) {
        const T* gr = g + r * m;
        for (std::int64_t j = lo; j < hi; ++j) target[j] += gr[j];
      }
    });
    return;
  }
  // General case: visit every output element, sequentially per target element.
  const BroadcastIndex it(to, from);
  std::vector<T> acc(static_cast<std::size_t>(m), T(0));
  for (std::int64_t i = 0; i < n; ++i) acc[static_cast<std::size_t>(it(i))] += g[i];
  for (std::int64_t j = 0; j < m; ++j) target[j] += acc[static_cast<std::size_t>(j)];
}

// out[i] = f(a[i]) over n elements.
template <class T, class F>
void unary(Parallel& par, const T* a, T* out, std::int64_t n, F f) {
  par.for_range(n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i) out[i] = f(a[i]);
  });
}

}  // namespace aeg::detail
