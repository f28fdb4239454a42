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
constexpr std::int64_t kBlock = 64;

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
  if (par == nullptr || m * n * k < kSplitWork || (m < 2 * kBlock && n < 2 * kBlock)) {
    blas(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (m >= n) {
    const std::int64_t blocks = (m + kBlock - 1) / kBlock;
    par->for_range(blocks, 1, [&](std::int64_t b0, std::int64_t b1) {
      for (std::int64_t blk = b0; blk < b1; ++blk) {
        const std::int64_t i0 = blk * kBlock, rows = std::min(kBlock, m - i0);
        const T* ab = ta ? a + i0 : a + i0 * lda;
        blas(ta, tb, rows, n, k, alpha, ab, lda, b, ldb, beta, c + i0 * ldc, ldc);
      }
    });
  } else {
    const std::int64_t blocks = (n + kBlock - 1) / kBlock;
    par->for_range(blocks, 1, [&](std::int64_t b0, std::int64_t b1) {
      for (std::int64_t blk = b0; blk < b1; ++blk) {
        const std::int64_t j0 = blk * kBlock, cols = std::min(kBlock, n - j0);
        const T* bb = tb ? b + j0 * ldb : b + j0;
        blas(ta, tb, m, cols, k, alpha, a, lda, bb, ldb, beta, c + j0, ldc);
      }
    });
  }
}

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float,
                          const float*, std::int64_t, const float*, std::int64_t, float, float*,
                          std::int64_t, Parallel*);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double,
                           const double*, std::int64_t, const double*, std::int64_t, double,
                           double*, std::int64_t, Parallel*);

}  // namespace aeg
