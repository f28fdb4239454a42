// The checked GEMM: its tile grid (a function of the shape and the machine's
// CPU count) covers C in tiles of whole register blocks, is fine enough for many
// workers on large products, and the tiled product is right and the same bits on
// any thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include "engine/kernels/gemm.hpp"
#include "engine/kernels/parallel.hpp"
#include "engine/rng.hpp"

using namespace aeg;

TEST_CASE("the GEMM's tile grid covers C and grows with the product's work", "[gemm]") {
  Rng rng(3);
  for (int trial = 0; trial < 500; ++trial) {
    const std::int64_t m = 1 + static_cast<std::int64_t>(rng.below(1500)), n = 1 + static_cast<std::int64_t>(rng.below(1500)),
                       k = 1 + static_cast<std::int64_t>(rng.below(1500));
    const std::int64_t most = std::int64_t{1} << rng.below(7);  // 1 .. 64
    const GemmTiles g = gemm_tiles(m, n, k, most);
    INFO(m << " x " << n << " x " << k << " (at most " << most << "): " << g.rows << " x " << g.cols << " tiles of " << g.th
           << " x " << g.tw);
    CHECK(g.count() >= 1);
    CHECK(g.count() <= most);
    CHECK(g.rows * g.th >= m);  // the tiles cover C
    CHECK(g.cols * g.tw >= n);
    CHECK((g.rows - 1) * g.th < m);  // and none is empty
    CHECK((g.cols - 1) * g.tw < n);
    CHECK((g.th == m || g.th % 16 == 0));  // cut at whole register tiles
    CHECK((g.tw == n || g.tw % 16 == 0));
  }
  CHECK(gemm_tiles(64, 64, 64, 64).count() == 1);      // small products run whole
  CHECK(gemm_tiles(256, 784, 512, 64).count() >= 16);  // on a 16-CPU machine W2's largest feeds 16 workers
  CHECK(gemm_tiles(512, 784, 256, 64).count() >= 16);
  CHECK(gemm_tiles(256, 784, 512, 8).count() == 8);    // on a 2-CPU one, 4 tiles a CPU
}

TEST_CASE("the most tiles a product is cut into is 4 per CPU of the machine, 4 to 64", "[gemm]") {
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (std::getenv("AEGRAPH_GEMM_MAX_TILES") == nullptr)
    CHECK(gemm_max_tiles() == std::clamp<std::int64_t>(4 * cpus, 4, 64));
  CHECK(gemm_tiles(256, 784, 512).count() == gemm_tiles(256, 784, 512, gemm_max_tiles()).count());
}

namespace {

std::vector<float> random_floats(std::size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.uniform(-1, 1));
  return v;
}

}  // namespace

TEST_CASE("tiled products are right and the same bits on 1, 2, 3 and 16 threads", "[gemm][determinism]") {
  Rng rng(7);
  Parallel p1(1), p2(2), p3(3), p16(16);
  const std::int64_t shapes[][3] = {{256, 784, 512}, {300, 200, 150}, {77, 513, 129}, {1000, 48, 300}, {5, 7, 3}, {130, 130, 0}};
  for (const auto& s : shapes) {
    const std::int64_t m = s[0], n = s[1], k = s[2];
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const std::int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;  // padded rows
      const std::vector<float> a = random_floats(static_cast<std::size_t>((ta ? k : m) * lda), rng);
      const std::vector<float> b = random_floats(static_cast<std::size_t>((tb ? n : k) * ldb), rng);
      const std::vector<float> c0 = random_floats(static_cast<std::size_t>(m * ldc), rng);
      for (float beta : {0.0f, 1.0f}) {
        INFO(m << " x " << n << " x " << k << " ta=" << ta << " tb=" << tb << " beta=" << beta);
        std::vector<float> ref = c0;
        gemm<float>(ta, tb, m, n, k, 1.5f, a.data(), lda, b.data(), ldb, beta, ref.data(), ldc, &p1);
        double worst = 0;
        for (std::int64_t i = 0; i < m; ++i)
          for (std::int64_t j = 0; j < n; ++j) {
            double want = beta * double(c0[static_cast<std::size_t>(i * ldc + j)]);
            for (std::int64_t q = 0; q < k; ++q)
              want += 1.5 * double(a[static_cast<std::size_t>(ta ? q * lda + i : i * lda + q)]) *
                      double(b[static_cast<std::size_t>(tb ? j * ldb + q : q * ldb + j)]);
            worst = std::max(worst, std::abs(want - ref[static_cast<std::size_t>(i * ldc + j)]));
          }
        CHECK(worst < 1e-5 * static_cast<double>(k + 1) * 4);
        for (std::int64_t i = 0; i < m; ++i)  // the padding between rows is left alone
          for (std::int64_t j = n; j < ldc; ++j) CHECK(ref[static_cast<std::size_t>(i * ldc + j)] == c0[static_cast<std::size_t>(i * ldc + j)]);
        for (Parallel* par : {static_cast<Parallel*>(nullptr), &p2, &p3, &p16}) {
          std::vector<float> c = c0;
          gemm<float>(ta, tb, m, n, k, 1.5f, a.data(), lda, b.data(), ldb, beta, c.data(), ldc, par);
          CHECK(std::memcmp(c.data(), ref.data(), c.size() * sizeof(float)) == 0);
        }
      }
    }
  }
}

TEST_CASE("two products run together give each one's own bits", "[gemm]") {
  Rng rng(9);
  Parallel par(3);
  const std::int64_t m = 256, n = 400, k = 300;
  const std::vector<float> a = random_floats(static_cast<std::size_t>(m * k), rng), b = random_floats(static_cast<std::size_t>(k * n), rng);
  std::vector<float> c1(static_cast<std::size_t>(m * n)), c2(static_cast<std::size_t>(n * m));
  std::vector<float> t1 = c1, t2 = c2;
  gemm<float>(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c1.data(), n, &par);
  gemm<float>(true, true, n, m, k, 1.0f, b.data(), n, a.data(), k, 0.0f, c2.data(), m, &par);
  gemm_together<float>({GemmArgs<float>{false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, t1.data(), n},
                        GemmArgs<float>{true, true, n, m, k, 1.0f, b.data(), n, a.data(), k, 0.0f, t2.data(), m}},
                       &par);
  CHECK(std::memcmp(c1.data(), t1.data(), c1.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(c2.data(), t2.data(), c2.size() * sizeof(float)) == 0);
}
