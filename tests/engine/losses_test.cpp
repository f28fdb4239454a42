// Loss values against hand computations and naive loops, their gradients
// against central differences, shape errors, and thread-count invariance.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include "engine/executor.hpp"
#include "engine/ops.hpp"
#include "loss_helpers.hpp"

using namespace aeg;
using aeg::test::fd_check;
using aeg::test::run_flat;
using aeg::test::uniform_tensor;

namespace {

// Runs out (a scalar) in double and returns its value and the gradients of `grads`.
struct Result {
  double value;
  std::vector<Tensor<double>> grads;
};
Result run(Graph& g, Var out, const aeg::test::Feeds& feeds, const std::vector<Var>& grads = {}) {
  Plan p = compile(g, {out});
  ParamStore<double> ps;
  Executor<double> ex(p, ps);
  for (auto& [v, t] : feeds) ex.set_input(v, t);
  ex.forward();
  Result r{ex.scalar(out), {}};
  if (!grads.empty()) {
    ex.backward();
    for (Var v : grads) r.grads.push_back(ex.grad(v));
  }
  return r;
}

double sigm(double l) { return 1 / (1 + std::exp(-l)); }

}  // namespace

TEST_CASE("bce on a 2x3 batch matches a hand computation", "[losses]") {
  Graph g;
  Var p = g.input("p", {2, 3}, true);
  Var x = g.input("x", {2, 3}, true);
  Var L = bce(p, x);
  CHECK(L.shape() == Shape{});
  const Tensor<double> pv({2, 3}, {0.2, 0.7, 0.9, 0.5, 0.1, 0.6});
  const Tensor<double> xv({2, 3}, {0, 1, 1, 1, 0, 0.5});
  double want = 0;
  for (int i = 0; i < 6; ++i) want -= xv[i] * std::log(pv[i]) + (1 - xv[i]) * std::log(1 - pv[i]);
  want /= 2;
  // By hand: -(ln .8 + ln .7 + ln .9 + ln .5 + ln .9 + .5 ln .6 + .5 ln .4) / 2
  CHECK(want == Approx(1.0986224).epsilon(1e-6));
  auto r = run(g, L, {{p, pv}, {x, xv}}, {p, x});
  CHECK(r.value == Approx(want).epsilon(1e-12));
  for (int i = 0; i < 6; ++i) {
    CHECK(r.grads[0][i] == Approx((-xv[i] / pv[i] + (1 - xv[i]) / (1 - pv[i])) / 2).epsilon(1e-12));
    CHECK(r.grads[1][i] == Approx((std::log(1 - pv[i]) - std::log(pv[i])) / 2).epsilon(1e-12));
  }
}

TEST_CASE("bce clamps p to [eps, 1-eps] with no gradient where clamped", "[losses]") {
  Graph g;
  Var p = g.input("p", {1, 4}, true);
  Var x = g.input("x", {1, 4});
  const double eps = 1e-3;
  Var L = bce(p, x, eps);
  auto r = run(g, L, {{p, Tensor<double>({1, 4}, {0.0, 1.0, 0.0005, 0.5})}, {x, Tensor<double>({1, 4}, {1, 0, 0, 1})}}, {p});
  CHECK(std::isfinite(r.value));
  // p = 0 -> eps with x = 1, p = 1 -> 1 - eps with x = 0, p = 0.0005 -> eps with x = 0.
  CHECK(r.value == Approx(-2 * std::log(eps) - std::log(1 - eps) - std::log(0.5)).epsilon(1e-12));
  CHECK(r.grads[0][0] == 0);
  CHECK(r.grads[0][1] == 0);
  CHECK(r.grads[0][2] == 0);
  CHECK(r.grads[0][3] == Approx(-2.0));
}

TEST_CASE("bce_with_logits equals bce of the sigmoid and stays finite", "[losses]") {
  Rng rng(11);
  Graph g;
  Var l = g.input("l", {3, 5}, true);
  Var x = g.input("x", {3, 5});
  Var p = g.input("p", {3, 5});
  Var L1 = bce_with_logits(l, x);
  Var L2 = bce(p, x);
  const auto lv = uniform_tensor(rng, {3, 5}, -4, 4);
  const auto xv = uniform_tensor(rng, {3, 5}, 0, 1);
  auto r1 = run(g, L1, {{l, lv}, {x, xv}}, {l});
  double want = 0;
  for (int i = 0; i < 15; ++i) want -= xv[i] * std::log(sigm(lv[i])) + (1 - xv[i]) * std::log(1 - sigm(lv[i]));
  CHECK(r1.value == Approx(want / 3).epsilon(1e-10));
  for (int i = 0; i < 15; ++i) CHECK(r1.grads[0][i] == Approx((sigm(lv[i]) - xv[i]) / 3).epsilon(1e-10));
  Tensor<double> pv({3, 5});
  for (int i = 0; i < 15; ++i) pv[i] = sigm(lv[i]);
  CHECK(run(g, L2, {{p, pv}, {x, xv}}).value == Approx(r1.value).epsilon(1e-10));

  Graph h;
  Var lh = h.input("l", {2, 2}, true);
  Var xh = h.input("x", {2, 2});
  auto r = run(h, bce_with_logits(lh, xh), {{lh, Tensor<double>({2, 2}, {100, -100, 100, -100})},
                                            {xh, Tensor<double>({2, 2}, {0, 1, 1, 0})}},
               {lh});
  CHECK(std::isfinite(r.value));
  CHECK(r.value == Approx(100.0));  // (100 + 100 + ~0 + ~0) / 2
  CHECK(r.grads[0][0] == Approx(0.5));
  CHECK(r.grads[0][1] == Approx(-0.5));
  CHECK(std::abs(r.grads[0][2]) < 1e-40);
  CHECK(std::abs(r.grads[0][3]) < 1e-40);
}

TEST_CASE("float bce_with_logits (vector math kernels) matches the double formulas", "[losses]") {
  // 300 x 197: several reduction chunks, a length no vector width divides, and
  // logits from saturated to tiny, where expf and log1pf are least forgiving.
  Rng rng(21);
  const std::int64_t B = 300, H = 197;
  Graph g;
  Var l = g.input("l", {B, H}, true);
  Var x = g.input("x", {B, H}, true);
  auto lv = uniform_tensor(rng, {B, H}, -40, 40);
  const double special[] = {0, 1e-3, -1e-3, 1e-7, 15, -15, 88, -88, 100, -100};
  for (int i = 0; i < 10; ++i) lv[i * 977] = special[i];
  for (std::int64_t i = 0; i < 2000; ++i) lv[10000 + i] = rng.uniform(-2, 2);
  const auto xv = uniform_tensor(rng, {B, H}, 0, 1);
  const Var L = bce_with_logits(l, x);
  const auto f = run_flat<float>(g, L, {{l, lv}, {x, xv}}, 1);
  // the double reference from the float-rounded inputs, so only the kernels differ
  const auto d = run_flat<double>(g, L, {{l, tensor_cast<double>(tensor_cast<float>(lv))}, {x, tensor_cast<double>(tensor_cast<float>(xv))}}, 1);
  REQUIRE(f.size() == d.size());
  CHECK(static_cast<double>(f[0]) == Approx(d[0]).epsilon(1e-6));
  int bad = 0;
  for (std::size_t i = 1; i < f.size(); ++i)
    if (std::abs(static_cast<double>(f[i]) - d[i]) > 1e-9 + 1e-5 * std::abs(d[i])) ++bad;
  CHECK(bad == 0);

  // a NaN logit must still give a NaN loss (the kernels are built with -ffast-math)
  Graph h;
  Var lh = h.input("l", {2, 20}, true);
  Var xh = h.input("x", {2, 20});
  Tensor<double> ln({2, 20}, 0.5);
  ln[13] = std::nan("");
  const auto r = run_flat<float>(h, bce_with_logits(lh, xh), {{lh, ln}, {xh, Tensor<double>({2, 20}, 0.5)}}, 1);
  CHECK(std::isnan(r[0]));
  CHECK(std::isnan(r[1 + 13]));
}

TEST_CASE("mse, l1_activity and gaussian_kl match naive loops", "[losses]") {
  Rng rng(5);
  Graph g;
  Var a = g.input("a", {4, 3}, true);
  Var b = g.input("b", {4, 3}, true);
  const auto av = uniform_tensor(rng, {4, 3}, -2, 2);
  const auto bv = uniform_tensor(rng, {4, 3}, -2, 2);
  double m = 0, l1 = 0, kl = 0;
  for (int i = 0; i < 12; ++i) {
    m += 0.5 * (av[i] - bv[i]) * (av[i] - bv[i]);
    l1 += std::abs(av[i]);
    kl += -0.5 * (1 + bv[i] - av[i] * av[i] - std::exp(bv[i]));
  }
  auto rm = run(g, mse(a, b), {{a, av}, {b, bv}}, {a, b});
  CHECK(rm.value == Approx(m / 4).epsilon(1e-12));
  for (int i = 0; i < 12; ++i) {
    CHECK(rm.grads[0][i] == Approx((av[i] - bv[i]) / 4).epsilon(1e-12));
    CHECK(rm.grads[1][i] == Approx((bv[i] - av[i]) / 4).epsilon(1e-12));
  }
  auto rl = run(g, l1_activity(a), {{a, av}}, {a});
  CHECK(rl.value == Approx(l1 / 4).epsilon(1e-12));
  for (int i = 0; i < 12; ++i) CHECK(rl.grads[0][i] == Approx((av[i] > 0 ? 1.0 : -1.0) / 4));
  auto rk = run(g, gaussian_kl(a, b), {{a, av}, {b, bv}}, {a, b});
  CHECK(rk.value == Approx(kl / 4).epsilon(1e-12));
  for (int i = 0; i < 12; ++i) {
    CHECK(rk.grads[0][i] == Approx(av[i] / 4).epsilon(1e-12));
    CHECK(rk.grads[1][i] == Approx(0.5 * (std::exp(bv[i]) - 1) / 4).epsilon(1e-12));
  }
  // The prior itself has zero KL.
  auto r0 = run(g, gaussian_kl(a, b), {{a, Tensor<double>({4, 3}, 0.0)}, {b, Tensor<double>({4, 3}, 0.0)}});
  CHECK(r0.value == 0);
}

TEST_CASE("a rank-1 loss input is a batch of scalars", "[losses]") {
  Graph g;
  Var y = g.input("y", {4});
  Var x = g.input("x", {4});
  auto r = run(g, mse(y, x), {{y, Tensor<double>({4}, {1, 2, 3, 4})}, {x, Tensor<double>({4}, 0.0)}});
  CHECK(r.value == Approx(0.5 * 30 / 4));
}

TEST_CASE("kl_sparsity is the KL of the batch-mean activation", "[losses]") {
  Rng rng(9);
  Graph g;
  const std::int64_t B = 5, H = 4;
  Var h = g.input("h", {B, H}, true);
  const double rho = 0.1;
  Var L = kl_sparsity(h, rho);
  const auto hv = uniform_tensor(rng, {B, H}, 0.05, 0.6);
  double want = 0;
  std::vector<double> rh(H, 0);
  for (std::int64_t j = 0; j < H; ++j) {
    for (std::int64_t b = 0; b < B; ++b) rh[j] += hv[b * H + j];
    rh[j] /= B;
    want += rho * std::log(rho / rh[j]) + (1 - rho) * std::log((1 - rho) / (1 - rh[j]));
  }
  auto r = run(g, L, {{h, hv}}, {h});
  CHECK(r.value == Approx(want).epsilon(1e-12));
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t j = 0; j < H; ++j)
      CHECK(r.grads[0][b * H + j] == Approx((-rho / rh[j] + (1 - rho) / (1 - rh[j])) / B).epsilon(1e-10));

  // Zero when every unit's mean activation is rho; finite when a unit is dead.
  auto r0 = run(g, L, {{h, Tensor<double>({B, H}, rho)}});
  CHECK(std::abs(r0.value) < 1e-15);
  Tensor<double> dead({B, H}, 0.3);
  for (std::int64_t b = 0; b < B; ++b) dead[b * H + 1] = 0;
  auto rd = run(g, L, {{h, dead}}, {h});
  CHECK(std::isfinite(rd.value));
  CHECK(rd.grads[0][1] == 0);  // clamped: no gradient
  fd_check(g, L, {{h, hv}});
}

// Given the batch's own mean (computed as the plain op does: a double sum in
// row order, divided by the rows, rounded to T), kl_sparsity(h, rho, mean) is
// the plain op bit for bit, value and gradient; another mean moves the value
// and the gradient, and none flows to the mean.
TEST_CASE("kl_sparsity with a given mean is the plain op when the mean is the batch's", "[losses][kl]") {
  Rng rng(11);
  const std::int64_t B = 37, H = 13;
  Graph g;
  Var h = g.input("h", {B, H}, true);
  Var mean = g.input("mean", {H}, true);
  const double rho = 0.05;
  Var plain = kl_sparsity(h, rho), given = kl_sparsity(h, rho, mean);
  const auto hv = uniform_tensor(rng, {B, H}, 0.02, 0.5);
  const auto check = [&](auto zero) {
    using T = decltype(zero);
    Tensor<double> mv({H});
    for (std::int64_t j = 0; j < H; ++j) {
      double s = 0;
      for (std::int64_t b = 0; b < B; ++b) s += static_cast<double>(static_cast<T>(hv[b * H + j]));
      mv[j] = static_cast<double>(static_cast<T>(s / static_cast<double>(B)));
    }
    const auto a = run_flat<T>(g, plain, {{h, hv}}, 2);
    const auto b = run_flat<T>(g, given, {{h, hv}, {mean, mv}}, 2);
    REQUIRE(b.size() == a.size() + static_cast<std::size_t>(H));
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
    for (std::int64_t j = 0; j < H; ++j) CHECK(b[a.size() + static_cast<std::size_t>(j)] == 0);  // no gradient to the mean
    for (auto& v : mv.data) v *= 0.5;
    const auto c = run_flat<T>(g, given, {{h, hv}, {mean, mv}}, 2);
    CHECK(c[0] != a[0]);
    CHECK(c[1] != a[1]);
  };
  check(float{});
  check(double{});
  // At another mean: the KL there plus its slope times h's own mean's distance
  // from it; the gradient is per row KL'(mean) / rows.
  Tensor<double> mv({H}, 0.2);
  auto r = run(g, given, {{h, hv}, {mean, mv}}, {h});
  const double kl = rho * std::log(rho / 0.2) + (1 - rho) * std::log((1 - rho) / 0.8), slope = -rho / 0.2 + (1 - rho) / 0.8;
  double want = 0;
  for (std::int64_t j = 0; j < H; ++j) {
    double own = 0;
    for (std::int64_t b = 0; b < B; ++b) own += hv[b * H + j];
    want += kl + slope * (own / B - 0.2);
  }
  CHECK(r.value == Approx(want).epsilon(1e-12));
  CHECK(r.grads[0][5] == Approx(slope / B).epsilon(1e-12));
  Var fixed = g.input("fixed", {H});  // held fixed: the differences over h alone
  fd_check(g, kl_sparsity(h, rho, fixed), {{h, hv}, {fixed, mv}});
  Var wrong = g.input("wrong", {H + 1});
  CHECK_THROWS_WITH(kl_sparsity(h, rho, wrong), Catch::Contains("[14]") && Catch::Contains("[13]"));
}

namespace {

double dact(Activation f, double a) {
  switch (f) {
    case Activation::Identity: return 1;
    case Activation::Sigmoid: return sigm(a) * (1 - sigm(a));
    case Activation::Tanh: return 1 - std::tanh(a) * std::tanh(a);
    case Activation::Relu: return a > 0 ? 1 : 0;
    case Activation::LeakyRelu: return a > 0 ? 1 : 0.01;
    case Activation::Elu: return a > 0 ? 1 : std::exp(a);
    case Activation::Softplus: return sigm(a);
  }
  return 0;
}

const Activation kAllActivations[] = {Activation::Identity, Activation::Sigmoid,   Activation::Tanh,
                                      Activation::Relu,     Activation::LeakyRelu, Activation::Elu,
                                      Activation::Softplus};

}  // namespace

TEST_CASE("contractive equals the squared Frobenius norm of an explicit Jacobian", "[losses]") {
  Rng rng(21);
  const std::int64_t B = 3, H = 4, I = 5;
  for (Activation f : kAllActivations) {
    INFO("activation " << static_cast<int>(f));
    Graph g;
    Var a = g.input("a", {B, H}, true);
    Var w = g.input("W", {H, I}, true);
    Var L = contractive(a, w, f);
    auto av = uniform_tensor(rng, {B, H}, -2, 2);
    for (auto& v : av.data)
      if (std::abs(v) < 0.05) v = 0.3;  // away from the relu kink
    const auto wv = uniform_tensor(rng, {H, I}, -1, 1);
    double want = 0;
    for (std::int64_t b = 0; b < B; ++b) {
      // J_ji = d h_j / d x_i = f'(a_bj) W_ji for this sample.
      double fro = 0;
      for (std::int64_t j = 0; j < H; ++j)
        for (std::int64_t i = 0; i < I; ++i) {
          const double J = dact(f, av[b * H + j]) * wv[j * I + i];
          fro += J * J;
        }
      want += fro;
    }
    want /= B;
    auto r = run(g, L, {{a, av}, {w, wv}});
    CHECK(r.value == Approx(want).epsilon(1e-12));
    fd_check(g, L, {{a, av}, {w, wv}});
  }
}

TEST_CASE("loss shape errors name both shapes", "[losses]") {
  Graph g;
  Var p = g.input("p", {2, 3});
  Var x = g.input("x", {2, 4});
  Var s = g.input("s", {});
  Var w = g.input("W", {5, 7});
  auto msg = [](const std::function<void()>& fn) {
    try {
      fn();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  const std::string m1 = msg([&] { bce(p, x); });
  CHECK_THAT(m1, Catch::Contains("bce") && Catch::Contains("[2, 3]") && Catch::Contains("[2, 4]"));
  CHECK_THAT(msg([&] { mse(p, x); }), Catch::Contains("[2, 3]") && Catch::Contains("[2, 4]"));
  CHECK_THAT(msg([&] { bce_with_logits(p, x); }), Catch::Contains("[2, 4]"));
  CHECK_THAT(msg([&] { gaussian_kl(p, x); }), Catch::Contains("logvar"));
  CHECK_THAT(msg([&] { l1_activity(s); }), Catch::Contains("rank >= 1"));
  CHECK_THAT(msg([&] { kl_sparsity(s, 0.1); }), Catch::Contains("rank >= 1"));
  CHECK_THAT(msg([&] { kl_sparsity(p, 1.5); }), Catch::Contains("rho"));
  CHECK_THAT(msg([&] { bce(p, p, 0.7); }), Catch::Contains("eps"));
  CHECK_THAT(msg([&] { contractive(p, w, Activation::Sigmoid); }),
             Catch::Contains("[2, 3]") && Catch::Contains("[5, 7]"));
  CHECK_THAT(msg([&] { contractive(s, w, Activation::Sigmoid); }), Catch::Contains("(batch, hidden)"));
  CHECK_THAT(msg([&] { contractive(p, g.input("v", {3}), Activation::Tanh); }), Catch::Contains("(hidden, in)"));
  CHECK_THAT(msg([&] { contractive(p, g.input("W2", {3, 7}), static_cast<Activation>(99)); }),
             Catch::Contains("is not one of") && Catch::Contains("softplus"));
  CHECK_NOTHROW(contractive(p, g.input("W3", {3, 7}), Activation::Relu));
}

TEST_CASE("losses give the same bits on 1 and 2 threads", "[losses][threads]") {
  // 300 x 200 = 60000 elements: several reduction chunks and parallel pieces.
  Rng rng(4);
  const std::int64_t B = 300, H = 200;
  Graph g;
  Var a = g.input("a", {B, H}, true);
  Var b = g.input("b", {B, H}, true);
  Var w = g.input("W", {H, 90}, true);
  const auto av = uniform_tensor(rng, {B, H}, 0.05, 0.95);
  const auto bv = uniform_tensor(rng, {B, H}, 0.0, 1.0);
  const auto wv = uniform_tensor(rng, {H, 90}, -1, 1);
  const std::vector<Var> losses = {bce(a, b),           bce_with_logits(a, b), mse(a, b),
                                   l1_activity(a),      gaussian_kl(a, b),     kl_sparsity(a, 0.05),
                                   contractive(a, w, Activation::Sigmoid), contractive(a, w, Activation::Tanh)};
  for (Var L : losses) {
    INFO(g.label(L.id));
    aeg::test::Feeds feeds = {{a, av}, {b, bv}};
    if (g.node(L).inputs.size() == 2 && g.node(L).inputs[1] == w.id) feeds = {{a, av}, {w, wv}};
    if (g.node(L).inputs.size() == 1) feeds = {{a, av}};
    const auto f1 = run_flat<float>(g, L, feeds, 1);
    const auto f2 = run_flat<float>(g, L, feeds, 2);
    REQUIRE(f1.size() == f2.size());
    CHECK(std::memcmp(f1.data(), f2.data(), f1.size() * sizeof(float)) == 0);
    const auto d1 = run_flat<double>(g, L, feeds, 1);
    const auto d2 = run_flat<double>(g, L, feeds, 2);
    CHECK(std::memcmp(d1.data(), d2.data(), d1.size() * sizeof(double)) == 0);
    CHECK(static_cast<double>(f1[0]) == Approx(d1[0]).epsilon(1e-4));
  }
}

TEST_CASE("loss gradients match central differences", "[losses]") {
  Rng rng(13);
  Graph g;
  Var p = g.input("p", {3, 4}, true);
  Var x = g.input("x", {3, 4}, true);
  const auto pv = uniform_tensor(rng, {3, 4}, 0.05, 0.95);
  const auto xv = uniform_tensor(rng, {3, 4}, 0, 1);
  fd_check(g, bce(p, x), {{p, pv}, {x, xv}});
  fd_check(g, bce_with_logits(p, x), {{p, uniform_tensor(rng, {3, 4}, -3, 3)}, {x, xv}});
  fd_check(g, mse(p, x), {{p, pv}, {x, xv}});
  fd_check(g, gaussian_kl(p, x), {{p, pv}, {x, uniform_tensor(rng, {3, 4}, -1, 1)}});
  fd_check(g, l1_activity(p), {{p, pv}});
}
