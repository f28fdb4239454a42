#include "engine/kernels/gemm.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "engine/kernels/parallel.hpp"

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

// Multiply-adds a tile should hold at least. Every tile is its own OpenBLAS call,
// which packs its slices of A and B again: the finer the grid, the more packing
// (W2's 18 products on one thread: 8.6 ms whole, 9.8 ms in 128 x 256 tiles, 10.0 in
// 128 x 64; docs/performance.md). AEGRAPH_GEMM_TILE_WORK overrides it for measuring the
// policy (ae-bench); a different value gives different bits, a different thread
// count never does.
std::int64_t tile_work() {
  static const std::int64_t work = [] {
    const char* s = std::getenv("AEGRAPH_GEMM_TILE_WORK");
    const long long v = s ? std::atoll(s) : 0;
    return v > 0 ? static_cast<std::int64_t>(v) : std::int64_t{1} << 21;
  }();
  return work;
}

constexpr std::int64_t kMinEdge = 64;   // no tile narrower than this (unless C is)

}  // namespace

// Tiles are there to feed workers: four per CPU of the machine balance the load,
// and every tile more only packs its slices of A and B again (W2 on one thread of
// a 2-CPU machine: 64 tiles at most ran its GEMMs at 74 % of sgemm's peak, 8 at 87 %;
// docs/performance.md). The machine's online CPUs, not the executor's threads nor
// the process's affinity, so that no thread count or binding changes the bits.
std::int64_t gemm_max_tiles() {
  static const std::int64_t tiles = [] {  // a throw leaves it unset: the next call tries again
    if (const char* s = std::getenv("AEGRAPH_GEMM_MAX_TILES")) {
      char* end = nullptr;
      const long long v = std::strtoll(s, &end, 10);
      if (end == s || *end != '\0' || v < 1 || v > 1024)
        throw std::runtime_error(std::string("AEGRAPH_GEMM_MAX_TILES=") + s + ": expected a whole number from 1 to 1024");
      return static_cast<std::int64_t>(v);
    }
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return std::clamp<std::int64_t>(4 * std::max<long>(cpus, 1), 4, 64);
  }();
  return tiles;
}

namespace {

// Half of an edge, rounded up to a multiple of 16 (the kernels' register tile).
std::int64_t half(std::int64_t edge) { return ((edge + 1) / 2 + 15) / 16 * 16; }

template <class T>
void check(const GemmArgs<T>& p) {
  const std::int64_t a_cols = p.trans_a ? p.m : p.k, b_cols = p.trans_b ? p.k : p.n;
  if (p.m < 0 || p.n < 0 || p.k < 0 || p.lda < std::max<std::int64_t>(1, a_cols) ||
      p.ldb < std::max<std::int64_t>(1, b_cols) || p.ldc < std::max<std::int64_t>(1, p.n))
    throw std::invalid_argument("gemm: bad sizes m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
                                " k=" + std::to_string(p.k));
}

// Tile t of product p (row-major over the grid).
template <class T>
void run_tile(const GemmArgs<T>& p, const GemmTiles& g, std::int64_t t) {
  if (p.m == 0 || p.n == 0) return;
  const std::int64_t i0 = (t / g.cols) * g.th, j0 = (t % g.cols) * g.tw;
  const std::int64_t h = std::min(g.th, p.m - i0), w = std::min(g.tw, p.n - j0);
  T* c = p.c + i0 * p.ldc + j0;
  T beta = p.beta;
  if (p.row_init != nullptr) {
    for (std::int64_t i = 0; i < h; ++i) std::copy(p.row_init + j0, p.row_init + j0 + w, c + i * p.ldc);
    beta = T(1);
  }
  if (p.k == 0) {  // BLAS may leave C alone when k = 0; C = beta * C is the product's meaning
    for (std::int64_t i = 0; i < h; ++i)
      for (std::int64_t j = 0; j < w; ++j) c[i * p.ldc + j] = beta == T(0) ? T(0) : beta * c[i * p.ldc + j];
    return;
  }
  const T* a = p.trans_a ? p.a + i0 : p.a + i0 * p.lda;
  const T* b = p.trans_b ? p.b + j0 * p.ldb : p.b + j0;
  blas(p.trans_a, p.trans_b, h, w, p.k, p.alpha, a, p.lda, b, p.ldb, beta, c, p.ldc);
}

}  // namespace

GemmTiles gemm_tiles(std::int64_t m, std::int64_t n, std::int64_t k) { return gemm_tiles(m, n, k, gemm_max_tiles()); }

GemmTiles gemm_tiles(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t max_tiles) {
  const std::int64_t most = std::max<std::int64_t>(max_tiles, 1);
  m = std::max<std::int64_t>(m, 1);
  n = std::max<std::int64_t>(n, 1);
  GemmTiles g{1, 1, m, n};
  const std::int64_t want = std::clamp<std::int64_t>(m * n * std::max<std::int64_t>(k, 1) / tile_work(), 1, most);
  // Halve the longer edge (square tiles pack the least) while more tiles are wanted.
  while (g.count() < want) {
    GemmTiles taller = g, wider = g;
    taller.th = half(g.th);
    taller.rows = (m + taller.th - 1) / taller.th;
    wider.tw = half(g.tw);
    wider.cols = (n + wider.tw - 1) / wider.tw;
    const bool can_h = g.th >= 2 * kMinEdge && taller.count() <= most;
    const bool can_w = g.tw >= 2 * kMinEdge && wider.count() <= most;
    if (can_w && (g.tw >= g.th || !can_h))
      g = wider;
    else if (can_h)
      g = taller;
    else
      break;
  }
  return g;
}

void gemm_single_threaded_blas() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

template <class T>
void gemm_together(std::initializer_list<GemmArgs<T>> products, Parallel* par) {
  // Tiles of every product, numbered one after another.
  std::int64_t total = 0;
  GemmTiles grids[4];
  std::int64_t first[5];
  if (products.size() > 4) throw std::invalid_argument("gemm_together: at most 4 products");
  std::size_t i = 0;
  for (const GemmArgs<T>& p : products) {
    check(p);
    grids[i] = gemm_tiles(p.m, p.n, p.k);
    first[i] = total;
    total += grids[i].count();
    ++i;
  }
  first[i] = total;
  const GemmArgs<T>* ps = products.begin();
  auto tiles = [&](std::int64_t t0, std::int64_t t1) {
    std::size_t q = 0;
    for (std::int64_t t = t0; t < t1; ++t) {
      while (t >= first[q + 1]) ++q;
      run_tile(ps[q], grids[q], t - first[q]);
    }
  };
  if (par == nullptr || total == 1)
    tiles(0, total);
  else
    par->for_range(total, 1, tiles);
}

template <class T>
void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc,
          Parallel* par) {
  gemm_together<T>({GemmArgs<T>{ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc}}, par);
}

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float,
                          const float*, std::int64_t, const float*, std::int64_t, float, float*,
                          std::int64_t, Parallel*);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double,
                           const double*, std::int64_t, const double*, std::int64_t, double,
                           double*, std::int64_t, Parallel*);
template void gemm_together<float>(std::initializer_list<GemmArgs<float>>, Parallel*);
template void gemm_together<double>(std::initializer_list<GemmArgs<double>>, Parallel*);

}  // namespace aeg
