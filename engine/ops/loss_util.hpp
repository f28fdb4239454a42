// Shape checks and a deterministic column sum shared by the loss ops.
// Internal to engine/ops.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/kernels/parallel.hpp"
#include "engine/tensor.hpp"

namespace aeg::detail {

inline void check_arity(const std::vector<Shape>& in, std::size_t n) {
  if (in.size() != n)
    throw std::invalid_argument("expects " + std::to_string(n) + " inputs, got " + std::to_string(in.size()));
}

// A batch: rank >= 1 with at least one sample.
inline void check_batched(const std::string& what, const Shape& s) {
  if (s.empty())
    throw std::invalid_argument(what + " has shape " + to_string(s) + " but needs a batch axis (rank >= 1)");
  if (s[0] < 1) throw std::invalid_argument(what + " has shape " + to_string(s) + ": an empty batch");
}

inline void check_same(const std::string& an, const Shape& a, const std::string& bn, const Shape& b) {
  if (a != b)
    throw std::invalid_argument(an + " has shape " + to_string(a) + " but " + bn + " has shape " + to_string(b) +
                                " (they must be equal)");
}

// For each column j of a (rows x cols) matrix: put(j, sum over r = 0..rows-1
// of get(r, j)), added in row order in double, so the result does not depend
// on how the columns are split between threads.
template <class Get, class Put>
void column_sums(Parallel& par, std::int64_t rows, std::int64_t cols, Get get, Put put) {
  constexpr std::int64_t kBlock = 256;
  par.for_range(cols, kBlock, [&](std::int64_t lo, std::int64_t hi) {
    double acc[kBlock];
    for (std::int64_t j0 = lo; j0 < hi; j0 += kBlock) {
      const std::int64_t j1 = std::min(hi, j0 + kBlock);
      std::fill(acc, acc + (j1 - j0), 0.0);
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t j = j0; j < j1; ++j) acc[j - j0] += get(r, j);
      for (std::int64_t j = j0; j < j1; ++j) put(j, acc[j - j0]);
    }
  });
}

}  // namespace aeg::detail
