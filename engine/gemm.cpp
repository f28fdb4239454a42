#include "engine/gemm.hpp"

#include <cblas.h>

#include <stdexcept>
#include <string>

#include "engine/parallel.hpp"

extern "C" void openblas_set_num_threads(int);

namespace aeg {

namespace {

void blas(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
          std::int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

void blas(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha,
          const double* a, std::int64_t lda, const double* b, std::int64_t ldb, double beta,
          double* c, std::int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Below this many multiply-adds a product runs in one call.
constexpr std::int64_t kSplitWork = 1 << 18;

// How C is cut along its longer side: into 1, 2 or 4 equal parts, by shape
// alone. Every call packs the other operand again, so the parts are as few and
// as large as two or four threads can share: 64-wide blocks ran W2's layers at
// 120 GFLOP/s on one thread where one call ran at 153 (bench/levers.md).
std::int64_t split_parts(std::int64_t side) { return side >= 1024 ? 4 : side >= 128 ? 2 : 1; }

// The width of each of `parts` pieces of `side`, a multiple of 16 (the GEMM
// kernel's tile) where possible.
std::int64_t part_width(std::int64_t side, std::int64_t parts) {
  const std::int64_t w = (side + parts - 1) / parts;
  return parts == 1 ? side : (w + 15) / 16 * 16;
}

}  // namespace

void gemm_single_threaded_blas() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

template <class T>
void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc,
          Parallel* par) {
  const std::int64_t a_cols = ta ? m : k, b_cols = tb ? k : n;
  if (m < 0 || n < 0 || k < 0 || lda < std::max<std::int64_t>(1, a_cols) ||
      ldb < std::max<std::int64_t>(1, b_cols) || ldc < std::max<std::int64_t>(1, n))
    throw std::invalid_argument("gemm: bad sizes m=" + std::to_string(m) + " n=" +
                                std::to_string(n) + " k=" + std::to_string(k));
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
    return;
  }
  // The split depends only on the shape, never on the thread count.
  const bool by_rows = m >= n;
  const std::int64_t side = by_rows ? m : n, parts = split_parts(side);
  if (par == nullptr || m * n * k < kSplitWork || parts == 1) {
    blas(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const std::int64_t width = part_width(side, parts);
  const std::int64_t blocks = (side + width - 1) / width;
  par->for_range(blocks, 1, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t blk = b0; blk < b1; ++blk) {
      const std::int64_t at = blk * width, len = std::min(width, side - at);
      if (by_rows)
        blas(ta, tb, len, n, k, alpha, ta ? a + at : a + at * lda, lda, b, ldb, beta, c + at * ldc, ldc);
      else
        blas(ta, tb, m, len, k, alpha, a, lda, tb ? b + at * ldb : b + at, ldb, beta, c + at, ldc);
    }
  });
}

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float,
                          const float*, std::int64_t, const float*, std::int64_t, float, float*,
                          std::int64_t, Parallel*);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double,
                           const double*, std::int64_t, const double*, std::int64_t, double,
                           double*, std::int64_t, Parallel*);

}  // namespace aeg
