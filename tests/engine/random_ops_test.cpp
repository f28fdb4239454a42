// Noise statistics, identity in evaluation plans, replay by seed, thread-count
// invariance and gradients of the random ops.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "engine/executor.hpp"
#include "engine/ops.hpp"
#include "loss_helpers.hpp"

using namespace aeg;
using aeg::test::fd_check;
using aeg::test::run_flat;
using aeg::test::uniform_tensor;

namespace {

constexpr std::int64_t kN = 100000;

struct Stats {
  double mean = 0, sd = 0;
};
Stats stats(const std::vector<float>& v, std::size_t n) {
  Stats s;
  for (std::size_t i = 0; i < n; ++i) s.mean += v[i];
  s.mean /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) s.sd += (v[i] - s.mean) * (v[i] - s.mean);
  s.sd = std::sqrt(s.sd / static_cast<double>(n - 1));
  return s;
}

}  // namespace

TEST_CASE("masking noise zeroes about `rate` of the elements and masks the gradient", "[random]") {
  Graph g;
  Var x = g.input("x", {100, 1000}, true);
  Var y = masking_noise(x, 0.3);
  const auto r = run_flat<float>(g, y, {{x, Tensor<double>({100, 1000}, 2.0)}}, 1);
  REQUIRE(r.size() == 2 * kN);  // value, then d sum(y) / dx
  std::int64_t zeros = 0;
  for (std::int64_t i = 0; i < kN; ++i) {
    REQUIRE((r[i] == 0.0f || r[i] == 2.0f));
    zeros += r[i] == 0.0f;
    CHECK(r[kN + i] == (r[i] == 0.0f ? 0.0f : 1.0f));
  }
  CHECK(static_cast<double>(zeros) / kN == Approx(0.3).margin(0.006));  // ~4 standard deviations
}

TEST_CASE("gaussian noise has the requested mean and standard deviation", "[random]") {
  Graph g;
  Var x = g.input("x", {kN}, true);
  Var y = gaussian_noise(x, 0.5);
  const auto r = run_flat<float>(g, y, {{x, Tensor<double>({kN}, 1.0)}}, 1);
  const Stats s = stats(r, kN);
  CHECK(s.mean == Approx(1.0).margin(0.007));
  CHECK(s.sd == Approx(0.5).margin(0.005));
  for (std::int64_t i = 0; i < kN; ++i) REQUIRE(r[kN + i] == 1.0f);  // the gradient passes through
}

TEST_CASE("salt-and-pepper noise sets about rate/2 to 0 and rate/2 to 1", "[random]") {
  Graph g;
  Var x = g.input("x", {kN}, true);
  Var y = salt_pepper_noise(x, 0.2);
  const auto r = run_flat<float>(g, y, {{x, Tensor<double>({kN}, 0.5)}}, 1);
  std::int64_t zeros = 0, ones = 0;
  for (std::int64_t i = 0; i < kN; ++i) {
    REQUIRE((r[i] == 0.0f || r[i] == 1.0f || r[i] == 0.5f));
    zeros += r[i] == 0.0f;
    ones += r[i] == 1.0f;
    CHECK(r[kN + i] == (r[i] == 0.5f ? 1.0f : 0.0f));
  }
  CHECK(static_cast<double>(zeros) / kN == Approx(0.1).margin(0.004));
  CHECK(static_cast<double>(ones) / kN == Approx(0.1).margin(0.004));
}

TEST_CASE("reparameterize samples mu + exp(logvar/2) eps", "[random]") {
  Graph g;
  Var mu = g.input("mu", {kN}, true);
  Var lv = g.input("logvar", {kN}, true);
  Var z = reparameterize(mu, lv);
  const auto r = run_flat<float>(g, z, {{mu, Tensor<double>({kN}, 1.0)}, {lv, Tensor<double>({kN}, std::log(4.0))}}, 1);
  REQUIRE(r.size() == 3 * kN);
  const Stats s = stats(r, kN);
  CHECK(s.mean == Approx(1.0).margin(0.03));
  CHECK(s.sd == Approx(2.0).margin(0.02));
  for (std::int64_t i = 0; i < kN; ++i) {
    REQUIRE(r[kN + i] == 1.0f);  // d z / d mu
    // d z / d logvar = exp(logvar/2) eps / 2 = (z - mu) / 2
    REQUIRE(r[2 * kN + i] == Approx(0.5 * (r[i] - 1.0)).margin(1e-5));
  }
}

TEST_CASE("noise ops are the identity in evaluation plans, reparameterize still samples", "[random]") {
  Rng rng(2);
  Graph g;
  Var x = g.input("x", {20, 30});
  const auto xv = uniform_tensor(rng, {20, 30}, -1, 1);
  PlanOptions eval;
  eval.grads = false;
  for (Var y : {gaussian_noise(x, 0.3), masking_noise(x, 0.5), salt_pepper_noise(x, 0.5)}) {
    const auto r = run_flat<double>(g, y, {{x, xv}}, 1, 3, eval);
    CHECK(r == xv.data);
    const auto t = run_flat<double>(g, y, {{x, xv}}, 1, 3, PlanOptions{.grads = false, .training = true});
    CHECK(t != xv.data);
  }
  // A gradient plan with training off: identity forward and backward.
  Graph h;
  Var hx = h.input("x", {4, 5}, true);
  Var hy = masking_noise(hx, 0.9);
  const auto r = run_flat<double>(h, hy, {{hx, Tensor<double>({4, 5}, 3.0)}}, 1, 3,
                                  PlanOptions{.grads = true, .training = false});
  for (std::size_t i = 0; i < 20; ++i) CHECK(r[i] == 3.0);
  for (std::size_t i = 20; i < 40; ++i) CHECK(r[i] == 1.0);

  Var z = reparameterize(x, x);
  const auto rz = run_flat<double>(g, z, {{x, xv}}, 1, 3, eval);
  CHECK(rz != xv.data);
}

TEST_CASE("the seed decides the noise, every forward draws afresh", "[random]") {
  Rng rng(3);
  Graph g;
  Var x = g.input("x", {10, 10});
  Var y = gaussian_noise(masking_noise(salt_pepper_noise(x, 0.2), 0.3), 0.1);
  const auto xv = uniform_tensor(rng, {10, 10}, 0, 1);
  const aeg::test::Feeds feeds = {{x, xv}};
  CHECK(run_flat<float>(g, y, feeds, 1, 42) == run_flat<float>(g, y, feeds, 1, 42));
  CHECK(run_flat<float>(g, y, feeds, 1, 42) != run_flat<float>(g, y, feeds, 1, 43));

  Plan p = compile(g, {y});
  ParamStore<float> ps;
  Executor<float> ex(p, ps, {.seed = 42});
  ex.set_input(x, tensor_cast<float>(xv));
  const std::string st = ex.rng().state();
  ex.forward();
  const auto first = ex.value(y);
  ex.forward();
  CHECK(ex.value(y).data != first.data);
  ex.rng().set_state(st);  // replay
  ex.forward();
  CHECK(ex.value(y).data == first.data);
}

TEST_CASE("random ops give the same bits on 1 and 2 threads", "[random][threads]") {
  Rng rng(8);
  Graph g;
  Var x = g.input("x", {200, 300}, true);
  Var lv = g.input("lv", {200, 300}, true);
  const aeg::test::Feeds feeds = {{x, uniform_tensor(rng, {200, 300}, -1, 1)}};
  for (Var y : {gaussian_noise(x, 0.3), masking_noise(x, 0.4), salt_pepper_noise(x, 0.3)}) {
    const auto a = run_flat<float>(g, y, feeds, 1);
    const auto b = run_flat<float>(g, y, feeds, 2);
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  }
  Var z = reparameterize(x, lv);
  const aeg::test::Feeds f2 = {feeds[0], {lv, uniform_tensor(rng, {200, 300}, -2, 1)}};
  const auto a = run_flat<float>(g, z, f2, 1);
  const auto b = run_flat<float>(g, z, f2, 2);
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

TEST_CASE("random op gradients match central differences with the noise replayed", "[random]") {
  Rng rng(17);
  Graph g;
  Var x = g.input("x", {3, 4}, true);
  Var lv = g.input("lv", {3, 4}, true);
  Var w = g.input("w", {3, 4});  // a fixed target makes the output a scalar
  const auto xv = uniform_tensor(rng, {3, 4}, -1, 1);
  const auto wv = uniform_tensor(rng, {3, 4}, -1, 1);
  fd_check(g, mse(gaussian_noise(x, 0.5), w), {{x, xv}, {w, wv}});
  fd_check(g, mse(masking_noise(x, 0.5), w), {{x, xv}, {w, wv}});
  fd_check(g, mse(salt_pepper_noise(x, 0.5), w), {{x, xv}, {w, wv}});
  fd_check(g, mse(reparameterize(x, lv), w), {{x, xv}, {lv, uniform_tensor(rng, {3, 4}, -1, 1)}, {w, wv}});
}

TEST_CASE("random op arguments are checked", "[random]") {
  Graph g;
  Var x = g.input("x", {2, 3});
  CHECK_THROWS_AS(gaussian_noise(x, -1), std::invalid_argument);
  CHECK_THROWS_AS(masking_noise(x, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(salt_pepper_noise(x, -0.1), std::invalid_argument);
  CHECK_THROWS_WITH(reparameterize(x, g.input("lv", {3, 2})),
                    Catch::Contains("[2, 3]") && Catch::Contains("[3, 2]"));
}
