// The one checked matrix product: C = alpha * op(A) op(B) + beta * C, row-major,
// op(X) = X or X^T (passed as a flag, never materialised). beta = 1 accumulates
// gradients in place. OpenBLAS runs on one thread; the executor's arena splits
// C into fixed blocks, so results do not depend on the thread count.
#pragma once
#include <cstdint>

namespace aeg {

class Parallel;

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha,
          const T* a, std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c,
          std::int64_t ldc, Parallel* par);

// Pins OpenBLAS to one thread (called by every Executor; idempotent).
void gemm_single_threaded_blas();

}  // namespace aeg
