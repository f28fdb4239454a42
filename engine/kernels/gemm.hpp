// The one checked matrix product: C = alpha * op(A) op(B) + beta * C, row-major,
// op(X) = X or X^T (passed as a flag, never materialised). beta = 1 accumulates
// gradients in place. OpenBLAS runs on one thread; C is cut into a grid of tiles
// that depends on the shape and the machine alone (each tile one call over the
// whole k), and the executor's workers take tiles, so results do not depend on
// the thread count.
#pragma once
#include <cstdint>
#include <initializer_list>

namespace aeg {

class Parallel;

template <class T>
struct GemmArgs {
  bool trans_a = false, trans_b = false;
  std::int64_t m = 0, n = 0, k = 0;
  T alpha = T(1);
  const T* a = nullptr;
  std::int64_t lda = 0;
  const T* b = nullptr;
  std::int64_t ldb = 0;
  T beta = T(0);
  T* c = nullptr;
  std::int64_t ldc = 0;
  // When set, every row of C starts as this row of n values and beta is 1: a linear
  // layer's bias written by each tile just before its product adds onto it.
  const T* row_init = nullptr;
};

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha,
          const T* a, std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c,
          std::int64_t ldc, Parallel* par);

// Independent products (a layer's two input gradients) in one parallel loop over
// all their tiles, so that workers left idle by one product's tiles take the other's.
template <class T>
void gemm_together(std::initializer_list<GemmArgs<T>> products, Parallel* par);

// The tile grid of an m x n x k product: rows x cols tiles of (at most) th x tw,
// about one per 2 M multiply-adds and at most max_tiles (default gemm_max_tiles()).
struct GemmTiles {
  std::int64_t rows = 1, cols = 1, th = 0, tw = 0;
  std::int64_t count() const { return rows * cols; }
};
GemmTiles gemm_tiles(std::int64_t m, std::int64_t n, std::int64_t k);
GemmTiles gemm_tiles(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t max_tiles);

// The most tiles a product is cut into: 4 per online CPU of the machine, 4 to 64
// (AEGRAPH_GEMM_MAX_TILES sets it). A function of the machine, never of the
// thread count: two machines with different CPU counts may differ in the last
// bits, as two CPUs with different kernels do; set it equal where that matters.
std::int64_t gemm_max_tiles();

// Pins OpenBLAS to one thread (called by every Executor; idempotent).
void gemm_single_threaded_blas();

}  // namespace aeg
