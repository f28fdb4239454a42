#include "gemm_alone.hpp"

#include <chrono>
#include <vector>

#include "engine/kernels/gemm.hpp"
#include "engine/kernels/parallel.hpp"
#include "engine/rng.hpp"
#include "op_profile.hpp"

namespace aeg::bench {

GemmAlone time_w2_products(int threads) {
  struct Product {
    bool ta, tb;
    std::int64_t m, n, k;
  };
  const std::int64_t dims[7] = {784, 512, 256, 64, 256, 512, 784}, B = 256;
  std::vector<Product> ps;
  for (int l = 0; l < 6; ++l) {
    const std::int64_t in = dims[l], out = dims[l + 1];
    ps.push_back({false, true, B, out, in});   // y = x W^T
    ps.push_back({false, false, B, in, out});  // dx = G W
    ps.push_back({true, false, out, in, B});   // dW = G^T x
  }
  std::vector<float> a(784 * 784), b(784 * 784), c(784 * 784);
  Rng rng(7);
  for (float& v : a) v = static_cast<float>(rng.uniform(-0.5, 0.5));
  for (float& v : b) v = static_cast<float>(rng.uniform(-0.5, 0.5));
  gemm_single_threaded_blas();
  Parallel par(threads);
  GemmAlone r;
  double flops = 0;
  for (const Product& p : ps) {
    const std::int64_t lda = p.ta ? p.m : p.k, ldb = p.tb ? p.k : p.n;
    std::vector<double> t;
    for (int rep = 0; rep < 31; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      gemm<float>(p.ta, p.tb, p.m, p.n, p.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), p.n, &par);
      t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    r.seconds += median(t);
    r.tiles += gemm_tiles(p.m, p.n, p.k).count();
    flops += 2.0 * static_cast<double>(p.m * p.n * p.k);
  }
  r.gflops = flops / r.seconds / 1e9;
  return r;
}

}  // namespace aeg::bench
