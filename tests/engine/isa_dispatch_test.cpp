// The two builds of the engine's float kernels (engine/kernels/isa/kernels.hpp): where
// they must give the same bits and where they may not, the choice of build
// (AEGRAPH_ISA), and OpenBLAS's switch of kernels (engine/kernels/blas_core.hpp).
// im2col_test.cpp checks im2col and col2im of every build against loops.
#include <catch2/catch.hpp>

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.hpp"
#include "engine/kernels/blas_core.hpp"
#include "isa_builds.hpp"

using aeg::detail::ConvGeom;
using aeg::detail::IsaKernels;

namespace {

std::vector<float> random_floats(std::mt19937& rng, std::int64_t n, float scale = 1.f) {
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = u(rng);
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The largest difference in units of the last place (of b's magnitude).
double max_ulps(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double ulp = std::nextafter(std::fabs(b[i]), INFINITY) - std::fabs(b[i]);
    worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]) / ulp);
  }
  return worst;
}

}  // namespace

TEST_CASE("the AVX-512 and AVX2 builds: the same bits where the order of operations is the same", "[isa]") {
  if (!aeg::detail::cpu_has_avx512()) {
    WARN("this CPU has no AVX-512: only the AVX2 build runs here");
    return;
  }
  const IsaKernels &a = aeg::detail::kernels_avx512, &p = aeg::detail::kernels_avx2;
  std::mt19937 rng(5);
  // The direct convolution (stride 1, one or two output channels): its forward
  // and input gradient add the taps in the same order with the same FMAs.
  for (int t = 0; t < 200; ++t) {
    ConvGeom g;
    g.c = 1 + rng() % 3, g.kh = 1 + rng() % 5, g.kw = 1 + rng() % 5, g.pad = rng() % 3;
    g.h = 1 + rng() % 30, g.w = 1 + rng() % 40, g.stride = 1;
    if (g.h + 2 * g.pad < g.kh || g.w + 2 * g.pad < g.kw) continue;
    g.oh = g.h + 2 * g.pad - g.kh + 1, g.ow = g.w + 2 * g.pad - g.kw + 1;
    const std::int64_t O = 1 + rng() % 2;
    INFO("C=" << g.c << " " << g.h << "x" << g.w << " k=" << g.kh << "x" << g.kw << " p=" << g.pad << " O=" << O);
    const auto img = random_floats(rng, g.image_size()), w = random_floats(rng, O * g.rows()),
               b = random_floats(rng, O), gy = random_floats(rng, O * g.cols());
    std::vector<float> ya(static_cast<std::size_t>(O * g.cols())), yp = ya;
    a.direct_conv_fwd(g, O, img.data(), w.data(), b.data(), ya.data());
    p.direct_conv_fwd(g, O, img.data(), w.data(), b.data(), yp.data());
    REQUIRE(same_bits(ya, yp));
    std::vector<float> da = random_floats(rng, g.image_size()), dp = da;
    a.direct_conv_dx(g, O, w.data(), gy.data(), da.data());
    p.direct_conv_dx(g, O, w.data(), gy.data(), dp.data());
    REQUIRE(same_bits(da, dp));
    // The weight gradient sums each tap over 16 lanes (AVX-512) or 64 (AVX2)
    // before adding the lanes: other bits, the same sum to rounding.
    std::vector<float> wa(w.size()), wp(w.size());
    a.direct_conv_dw(g, O, gy.data(), img.data(), true, wa.data());
    p.direct_conv_dw(g, O, gy.data(), img.data(), true, wp.data());
    for (std::size_t i = 0; i < wa.size(); ++i) REQUIRE(wa[i] == Approx(wp[i]).epsilon(1e-4).margin(1e-5));
  }
}

TEST_CASE("the AVX-512 and AVX2 builds: the same bits in the 2x2 max-pool and Adam's update", "[isa]") {
  if (!aeg::detail::cpu_has_avx512()) {
    WARN("this CPU has no AVX-512: only the AVX2 build runs here");
    return;
  }
  const IsaKernels &a = aeg::detail::kernels_avx512, &p = aeg::detail::kernels_avx2;
  std::mt19937 rng(3);
  for (const std::int64_t W : {2, 7, 28, 57}) {  // rows of 1, 3, 14 and 28 whole windows (and a tail column)
    const std::int64_t H = 2 * W, rows = H / 2, cols = W / 2;
    std::vector<float> x = random_floats(rng, H * W);
    x[3] = x[W + 2] = NAN;  // the first maximum wins, a NaN propagates: the same choices
    x[5] = x[4];
    std::vector<float> ya(static_cast<std::size_t>(rows * cols)), yp = ya, aa = ya, ap = ya;
    a.max2x2_rows(x.data(), W, rows, cols, cols, ya.data(), aa.data());
    p.max2x2_rows(x.data(), W, rows, cols, cols, yp.data(), ap.data());
    CHECK(same_bits(ya, yp));
    CHECK(same_bits(aa, ap));
  }
  const std::int64_t n = 1003;
  for (const bool decay : {false, true}) {
    const auto g = random_floats(rng, n);
    std::vector<float> pa = random_floats(rng, n), ma = random_floats(rng, n, 0.1f), va = random_floats(rng, n, 0.1f);
    for (auto& v : va) v = std::fabs(v);
    std::vector<float> pp = pa, mp = ma, vp = va;
    const aeg::detail::AdamScalars<float> k{0.9f, 0.999f, 0.1f, 0.001f, 0.3f, 1e-8f, 1e-3f, 3e-3f};
    a.adam_pass(pa.data(), g.data(), ma.data(), va.data(), n, k, decay);
    p.adam_pass(pp.data(), g.data(), mp.data(), vp.data(), n, k, decay);
    CHECK(same_bits(pa, pp));
    CHECK(same_bits(ma, mp));
    CHECK(same_bits(va, vp));
  }
}

TEST_CASE("the AVX-512 and AVX2 builds of BCE and the sigmoid part in the last bits (libmvec)", "[isa]") {
  if (!aeg::detail::cpu_has_avx512()) {
    WARN("this CPU has no AVX-512: only the AVX2 build runs here");
    return;
  }
  const IsaKernels &a = aeg::detail::kernels_avx512, &p = aeg::detail::kernels_avx2;
  std::mt19937 rng(9);
  const std::int64_t n = 10007;  // a tail block too
  const auto l = random_floats(rng, n, 12.f);
  std::vector<float> x = random_floats(rng, n);
  for (auto& v : x) v = std::fabs(v);
  std::vector<float> sa(static_cast<std::size_t>(n)), sp = sa;
  a.sigmoid_values(l.data(), sa.data(), n);
  p.sigmoid_values(l.data(), sp.data(), n);
  const double sigmoid_ulps = max_ulps(sa, sp);
  CHECK(sigmoid_ulps <= 4);
  std::vector<float> ga(static_cast<std::size_t>(n)), gp = ga;
  a.bce_logits_grad(l.data(), x.data(), 0.5f, true, ga.data(), n);
  p.bce_logits_grad(l.data(), x.data(), 0.5f, true, gp.data(), n);
  // g (sigmoid - x): a few ulp of the sigmoid, absolute (near sigmoid = x the relative difference grows).
  double worst = 0;
  for (std::size_t i = 0; i < ga.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(ga[i]) - gp[i]));
  CHECK(worst <= 0.5 * 4 * 6e-8);
  const double va = a.bce_logits_sum(l.data(), x.data(), n), vp = p.bce_logits_sum(l.data(), x.data(), n);
  CHECK(va == Approx(vp).epsilon(1e-6));
  // Which of them differ in bits on this machine's libmvec: information, not a requirement.
  WARN("sigmoid " << (same_bits(sa, sp) ? "same bits" : "differs") << " (max " << sigmoid_ulps << " ulp); BCE gradient "
                  << (same_bits(ga, gp) ? "same bits" : "differs") << "; BCE value "
                  << (va == vp ? "same bits" : "differs"));
}

TEST_CASE("the kernels' build is the CPU's best, or the one AEGRAPH_ISA names", "[isa]") {
  const std::string isa(aeg::kernel_isa());
  if (const char* forced = std::getenv("AEGRAPH_ISA"); forced && *forced)
    CHECK(isa == forced);
  else
    CHECK(isa == (aeg::detail::cpu_has_avx512() ? "avx512" : "avx2"));
}

TEST_CASE("OpenBLAS's kernels switch in the process, and switch back", "[isa][blas]") {
  auto environment = [] {
    const char* named = std::getenv("OPENBLAS_CORETYPE");
    return named ? std::string(named) : std::string("(unset)");
  };
  const std::string start = aeg::blas_core(), named = environment();
  REQUIRE(!start.empty());
  // Prescott: the generic kernels OpenBLAS 0.3.21 falls back to on CPUs it does not know.
  REQUIRE(aeg::detail::switch_blas_core("Prescott"));
  CHECK(aeg::blas_core() == "Prescott");  // settled once already: no switch behind the test's back
  CHECK(aeg::detail::blas_core_upgrade() != "");  // any x86-64-v3 CPU runs at least Haswell's
  const float A[4] = {1, 2, 3, 4}, B[4] = {5, 6, 7, 8};
  float C[4] = {};
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.f, A, 2, B, 2, 0.f, C, 2);
  CHECK((C[0] == 19 && C[1] == 22 && C[2] == 43 && C[3] == 50));
  CHECK_FALSE(aeg::detail::switch_blas_core("NoSuchCore"));
  CHECK(aeg::blas_core() == "Prescott");
  REQUIRE(aeg::detail::switch_blas_core(start));
  CHECK(aeg::blas_core() == start);
  CHECK(environment() == named);  // set for OpenBLAS's init only
}
