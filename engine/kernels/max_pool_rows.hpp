// The maximum of whole 2x2 windows at stride 2 (the zoo's pools), for
// max_pool2d (pooling.cpp): built per instruction set, for float, in the kernel
// table (engine/kernels/isa/kernels.hpp), since only AVX-512 vectorises it (the arg-max
// goes from int64 to float). Internal to engine/ops.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"

#include <cmath>
#include <cstdint>

namespace aeg::detail::inline AEG_ISA {

// The first maximum in row-major order wins and a NaN propagates (as
// PyTorch). Selects, not branches: which element wins is data, so a branch
// here is mispredicted about every other element.
template <class T>
inline void take_max(T v, std::int64_t at, T& best_v, std::int64_t& best) {
  const bool take = v > best_v || (std::isnan(v) && !std::isnan(best_v));
  best_v = take ? v : best_v;
  best = take ? at : best;
}

// y[ox], a[ox] for ox in [0, n): the maximum of the 2x2 window at row pointer
// r (plane offset `at`), columns 2 ox and 2 ox + 1 of it and the next row, taken
// in row-major order as take_max does, and its plane index.
template <class T>
void max2x2_row(const T* __restrict r, std::int64_t at, std::int64_t W, std::int64_t n, T* __restrict y,
                T* __restrict a) {
  const T* __restrict r1 = r + W;
  for (std::int64_t ox = 0; ox < n; ++ox) {
    T bv = r[2 * ox];
    std::int64_t best = at + 2 * ox;
    take_max(r[2 * ox + 1], at + 2 * ox + 1, bv, best);
    take_max(r1[2 * ox], at + W + 2 * ox, bv, best);
    take_max(r1[2 * ox + 1], at + W + 2 * ox + 1, bv, best);
    y[ox] = bv;
    a[ox] = static_cast<T>(best);
  }
}

// The first `cols` outputs of rows [0, rows) of one (H, W) plane: whole windows
// only. y and a are the plane's outputs and arg-maxes, OW to a row.
template <class T>
void max2x2_rows(const T* x, std::int64_t W, std::int64_t rows, std::int64_t cols, std::int64_t OW, T* y, T* a) {
  for (std::int64_t oy = 0; oy < rows; ++oy) max2x2_row(x + 2 * oy * W, 2 * oy * W, W, cols, y + oy * OW, a + oy * OW);
}

}  // namespace aeg::detail::inline AEG_ISA
