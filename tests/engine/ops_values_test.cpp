// Forward values and small backward cases of the activations, matmul / linear,
// shape ops and reductions against hand-computed numbers; shape errors; and
// bitwise agreement between 1 and 2 threads and with / without memory reuse.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/executor.hpp"
#include "engine/ops.hpp"

using namespace aeg;

namespace {

template <class T>
using Feeds = std::vector<std::pair<Var, Tensor<T>>>;

template <class T>
Tensor<T> random_tensor(Shape s, std::uint64_t seed, double lo = -1, double hi = 1) {
  Rng rng(seed);
  Tensor<T> t(std::move(s));
  for (auto& x : t.data) x = static_cast<T>(rng.uniform(lo, hi));
  return t;
}

// Runs forward (and backward with `seeds`, when given) and returns the values
// of `outs` followed by the gradients of the fed inputs that require one.
template <class T>
struct Run {
  std::vector<Tensor<T>> values, grads;
};

template <class T>
Run<T> run(Graph& g, const std::vector<Var>& outs, const Feeds<T>& feeds, const std::vector<Tensor<T>>* seeds = nullptr,
           int threads = 1, bool reuse = true) {
  const Plan plan = compile(g, outs, PlanOptions{.grads = seeds != nullptr, .training = false, .reuse_memory = reuse});
  ParamStore<T> ps;
  Executor<T> ex(plan, ps, ExecOptions{.threads = threads});
  for (const auto& [v, t] : feeds)
    if (plan.live(v.id)) ex.set_input(v, t);
  ex.forward();
  Run<T> r;
  for (Var o : outs) r.values.push_back(ex.value(o));
  if (seeds) {
    ex.backward(*seeds);
    for (const auto& [v, t] : feeds)
      if (plan.needs_grad(v.id)) r.grads.push_back(ex.grad(v));
  }
  return r;
}

template <class T>
Tensor<T> eval1(Graph& g, Var out, const Feeds<T>& feeds) {
  return run<T>(g, {out}, feeds).values[0];
}

// Gradients of the fed inputs for the seed `seed` on the single output.
template <class T>
std::vector<Tensor<T>> grads1(Graph& g, Var out, const Feeds<T>& feeds, Tensor<T> seed, int threads = 1,
                              bool reuse = true) {
  const std::vector<Tensor<T>> seeds{std::move(seed)};
  return run<T>(g, {out}, feeds, &seeds, threads, reuse).grads;
}

template <class T>
bool same_bits(const Tensor<T>& a, const Tensor<T>& b) {
  return a.shape == b.shape && std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(T)) == 0;
}

template <class T>
void check_close(const Tensor<T>& got, const Shape& shape, const std::vector<double>& want, double eps = 1e-12) {
  REQUIRE(got.shape == shape);
  REQUIRE(got.data.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(static_cast<double>(got.data[i]) == Approx(want[i]).margin(eps));
  }
}

// C = op(A) op(B) by the definition, in double.
Tensor<double> naive_matmul(const Tensor<double>& a, const Tensor<double>& b, bool ta, bool tb) {
  const std::int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  const std::int64_t n = tb ? b.shape[0] : b.shape[1];
  Tensor<double> c({m, n});
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t t = 0; t < k; ++t) {
        const double av = ta ? a[t * a.shape[1] + i] : a[i * a.shape[1] + t];
        const double bv = tb ? b[j * b.shape[1] + t] : b[t * b.shape[1] + j];
        s += av * bv;
      }
      c[i * n + j] = s;
    }
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument thrown)";
}

}  // namespace

// ---------------------------------------------------------------- activations

TEST_CASE("activations: forward values", "[ops][activations]") {
  const std::vector<double> xs{-2, -0.5, 0.5, 3};
  Graph g;
  Var x = g.input("x", {4});
  const Feeds<double> f{{x, Tensor<double>({4}, xs)}};
  auto each = [&](auto fn) {
    std::vector<double> r;
    for (double v : xs) r.push_back(fn(v));
    return r;
  };
  check_close(eval1(g, sigmoid(x), f), {4}, each([](double v) { return 1 / (1 + std::exp(-v)); }));
  check_close(eval1(g, tanh(x), f), {4}, each([](double v) { return std::tanh(v); }));
  check_close(eval1(g, relu(x), f), {4}, {0, 0, 0.5, 3});
  check_close(eval1(g, leaky_relu(x, 0.1), f), {4}, {-0.2, -0.05, 0.5, 3});
  check_close(eval1(g, leaky_relu(x), f), {4}, {-0.02, -0.005, 0.5, 3});
  check_close(eval1(g, elu(x, 2.0), f), {4}, {2 * (std::exp(-2.0) - 1), 2 * (std::exp(-0.5) - 1), 0.5, 3});
  check_close(eval1(g, softplus(x), f), {4}, each([](double v) { return std::log(1 + std::exp(v)); }));
  check_close(eval1(g, identity(x), f), {4}, xs);
}

TEST_CASE("sigmoid in float: within 4 ulp of double, the same bits on 1 and 2 threads", "[ops][activations]") {
  // The float path runs 16 lanes of libmvec's expf, the tail zero-padded; 100,003
  // values span several of the executor's chunks, none starting at a multiple of 16.
  const std::int64_t n = 100003;
  Rng rng(5);
  Tensor<float> xs({n});
  for (auto& v : xs.data) v = static_cast<float>(rng.uniform(-30, 30));
  Graph g;
  Var x = g.input("x", {n});
  const Feeds<float> f{{x, xs}};
  const Tensor<float> one = run<float>(g, {sigmoid(x)}, f, nullptr, 1).values[0];
  const Tensor<float> two = run<float>(g, {sigmoid(x)}, f, nullptr, 2).values[0];
  CHECK(one.data == two.data);
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double want = 1 / (1 + std::exp(-static_cast<double>(xs[i])));
    worst = std::max(worst, std::abs(one[i] - want) / want);
  }
  // libmvec's expf and the division: 3.1e-7 seen (scalar libm 1.7e-7); float's ulp at 1 is 1.2e-7.
  CHECK(worst < 4 * 1.19e-7);
}

TEST_CASE("activations stay finite and exact for large inputs in float", "[ops][activations]") {
  const std::vector<float> xs{-1000, -100, -20, 0, 20, 100, 1000};
  Graph g;
  Var x = g.input("x", {7});
  const Feeds<float> f{{x, Tensor<float>({7}, xs)}};
  const Tensor<float> s = eval1(g, sigmoid(x), f), sp = eval1(g, softplus(x), f), e = eval1(g, elu(x), f);
  for (int i = 0; i < 7; ++i) {
    INFO("x = " << xs[static_cast<std::size_t>(i)]);
    CHECK(std::isfinite(s[i]));
    CHECK(std::isfinite(sp[i]));
    CHECK(std::isfinite(e[i]));
    CHECK(s[i] >= 0.0f);
    CHECK(s[i] <= 1.0f);
    CHECK(sp[i] >= 0.0f);
  }
  CHECK(s[0] == 0.0f);
  CHECK(s[3] == 0.5f);
  CHECK(s[6] == 1.0f);
  CHECK(sp[0] == 0.0f);
  CHECK(sp[2] == Approx(std::exp(-20.0)).epsilon(1e-5));  // log1p keeps the tiny value
  CHECK(sp[3] == Approx(std::log(2.0)));
  CHECK(sp[5] == 100.0f);
  CHECK(sp[6] == 1000.0f);
  CHECK(e[0] == -1.0f);
  CHECK(e[6] == 1000.0f);
}

TEST_CASE("activations: backward at known points", "[ops][activations]") {
  const std::vector<double> xs{-2, -0.5, 0, 0.5, 3};
  Graph g;
  Var x = g.input("x", {5}, true);
  const Feeds<double> f{{x, Tensor<double>({5}, xs)}};
  const Tensor<double> seed({5}, {1, 2, 3, 4, 5});
  auto expect = [&](Var y, auto df) {
    std::vector<double> want;
    for (std::size_t i = 0; i < xs.size(); ++i) want.push_back(seed.data[i] * df(xs[i]));
    check_close(grads1(g, y, f, seed).at(0), {5}, want);
  };
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  expect(sigmoid(x), [&](double v) { return sig(v) * (1 - sig(v)); });
  expect(tanh(x), [](double v) { return 1 - std::tanh(v) * std::tanh(v); });
  expect(relu(x), [](double v) { return v > 0 ? 1.0 : 0.0; });  // 0 at the kink
  expect(leaky_relu(x, 0.2), [](double v) { return v > 0 ? 1.0 : 0.2; });
  expect(elu(x, 0.5), [](double v) { return v > 0 ? 1.0 : 0.5 * std::exp(v); });
  expect(softplus(x), sig);
  expect(identity(x), [](double) { return 1.0; });
}

TEST_CASE("activate dispatches with the default slope and alpha", "[ops][activations]") {
  Graph g;
  Var x = g.input("x", {2, 3});
  const Feeds<double> f{{x, random_tensor<double>({2, 3}, 7, -3, 3)}};
  const std::vector<std::pair<Activation, Var>> pairs{
      {Activation::Identity, identity(x)}, {Activation::Sigmoid, sigmoid(x)},        {Activation::Tanh, tanh(x)},
      {Activation::Relu, relu(x)},         {Activation::LeakyRelu, leaky_relu(x, 0.01)}, {Activation::Elu, elu(x, 1.0)},
      {Activation::Softplus, softplus(x)}};
  for (const auto& [a, direct] : pairs) {
    Var via = activate(x, a);
    CHECK(g.node(via).op->name() == g.node(direct).op->name());
    CHECK(g.node(via).op->attrs() == g.node(direct).op->attrs());
    CHECK(same_bits(eval1(g, via, f), eval1(g, direct, f)));
  }
}

// ---------------------------------------------------------------- matmul, linear

TEST_CASE("matmul matches a naive product for every transpose flag", "[ops][matmul]") {
  // Small sizes (one BLAS call) and big ones (split over rows or columns into
  // two parts, or four ragged ones from 1024 up).
  const std::vector<std::array<std::int64_t, 3>> sizes{{5, 7, 3},     {1, 4, 1},      {150, 40, 70},
                                                       {60, 50, 200}, {1030, 9, 30}, {24, 12, 1100}};
  for (const auto& [m, k, n] : sizes)
    for (int flags = 0; flags < 4; ++flags) {
      const bool ta = flags & 1, tb = flags & 2;
      INFO("m=" << m << " k=" << k << " n=" << n << " ta=" << ta << " tb=" << tb);
      Graph g;
      const Shape sa = ta ? Shape{k, m} : Shape{m, k}, sb = tb ? Shape{n, k} : Shape{k, n};
      Var a = g.input("a", sa), b = g.input("b", sb);
      Var c = matmul(a, b, ta, tb);
      REQUIRE(c.shape() == Shape{m, n});
      const Feeds<double> f{{a, random_tensor<double>(sa, 1)}, {b, random_tensor<double>(sb, 2)}};
      const Tensor<double> want = naive_matmul(f[0].second, f[1].second, ta, tb);
      check_close(eval1(g, c, f), {m, n}, want.data, 1e-10);
      // The same bits on 2 threads, in float.
      const Feeds<float> ff{{a, tensor_cast<float>(f[0].second)}, {b, tensor_cast<float>(f[1].second)}};
      CHECK(same_bits(run<float>(g, {c}, ff, nullptr, 1).values[0], run<float>(g, {c}, ff, nullptr, 2).values[0]));
    }
}

TEST_CASE("matmul backward on a 2x2 case", "[ops][matmul]") {
  Graph g;
  Var a = g.input("a", {2, 2}, true), b = g.input("b", {2, 2}, true);
  const Feeds<double> f{{a, Tensor<double>({2, 2}, {1, 2, 3, 4})}, {b, Tensor<double>({2, 2}, {5, 6, 7, 8})}};
  const Tensor<double> ones({2, 2}, 1.0);
  // C = A B: dA = G B^T, dB = A^T G.
  auto gr = grads1(g, matmul(a, b), f, ones);
  check_close(gr[0], {2, 2}, {11, 15, 11, 15});
  check_close(gr[1], {2, 2}, {4, 4, 6, 6});
  // C = A^T B: dA = B G^T, dB = A G.
  gr = grads1(g, matmul(a, b, true, false), f, ones);
  check_close(gr[0], {2, 2}, {11, 11, 15, 15});
  check_close(gr[1], {2, 2}, {3, 3, 7, 7});
  // C = A B^T: dA = G B, dB = G^T A.
  gr = grads1(g, matmul(a, b, false, true), f, ones);
  check_close(gr[0], {2, 2}, {12, 14, 12, 14});
  check_close(gr[1], {2, 2}, {4, 6, 4, 6});
  // C = A^T B^T: dA = B^T G^T, dB = G^T A^T.
  gr = grads1(g, matmul(a, b, true, true), f, ones);
  check_close(gr[0], {2, 2}, {12, 12, 14, 14});
  check_close(gr[1], {2, 2}, {3, 7, 3, 7});
  // A non-uniform seed: C = A B with G = [[1, 0], [0, 2]]: dA = G B^T, dB = A^T G.
  gr = grads1(g, matmul(a, b), f, Tensor<double>({2, 2}, {1, 0, 0, 2}));
  check_close(gr[0], {2, 2}, {5, 7, 12, 16});
  check_close(gr[1], {2, 2}, {1, 6, 2, 8});
}

TEST_CASE("matmul of one input with itself adds both gradients", "[ops][matmul]") {
  Graph g;
  Var x = g.input("x", {2, 2}, true);
  const Feeds<double> f{{x, Tensor<double>({2, 2}, {1, 2, 3, 4})}};
  // d/dX sum(X X^T) = G X + G^T X with G = ones: every row gets 2 * (column sums of X).
  const auto gr = grads1(g, matmul(x, x, false, true), f, Tensor<double>({2, 2}, 1.0));
  check_close(gr[0], {2, 2}, {8, 12, 8, 12});
}

TEST_CASE("linear: forward and backward on known numbers", "[ops][linear]") {
  Graph g;
  Var x = g.input("x", {3, 2}, true), w = g.input("W", {3, 2}, true), b = g.input("b", {3}, true);
  const Feeds<double> f{{x, Tensor<double>({3, 2}, {1, 2, 3, 4, 5, 6})},
                        {w, Tensor<double>({3, 2}, {1, 0, 0, 1, 1, 1})},
                        {b, Tensor<double>({3}, {0.5, -0.5, 0})}};
  Var y = linear(x, w, b);
  check_close(eval1(g, y, f), {3, 3}, {1.5, 1.5, 3, 3.5, 3.5, 7, 5.5, 5.5, 11});
  const auto gr = grads1(g, y, f, Tensor<double>({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 2}));
  check_close(gr[0], {3, 2}, {1, 0, 0, 1, 2, 2});     // G W
  check_close(gr[1], {3, 2}, {1, 2, 3, 4, 10, 12});   // G^T x
  check_close(gr[2], {3}, {1, 1, 2});                 // column sums of G
}

TEST_CASE("linear equals matmul(x, W^T) + b", "[ops][linear]") {
  for (std::int64_t batch : {1, 7, 64, 65, 300}) {
    INFO("batch " << batch);
    Graph g;
    Var x = g.input("x", {batch, 9}, true), w = g.input("W", {4, 9}, true), b = g.input("b", {4}, true);
    const Feeds<double> f{{x, random_tensor<double>({batch, 9}, 3)},
                          {w, random_tensor<double>({4, 9}, 4)},
                          {b, random_tensor<double>({4}, 5)}};
    Var fused = linear(x, w, b), composed = matmul(x, w, false, true) + b;
    const Tensor<double> seed = random_tensor<double>({batch, 4}, 6);
    // The same gemm call and the same one addition: the same bits forward.
    CHECK(same_bits(eval1(g, fused, f), eval1(g, composed, f)));
    const auto g1 = grads1(g, fused, f, seed), g2 = grads1(g, composed, f, seed);
    REQUIRE(g1.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) check_close(g1[k], g2[k].shape, g2[k].data, 1e-12);
  }
}

TEST_CASE("linear: the same bits on 1 and 2 threads, and right at scale", "[ops][linear]") {
  // 300 rows: five bias chunks; 300 x 150 x 70 splits the gemm into blocks.
  const std::int64_t batch = 300, in = 70, out = 150;
  Graph g;
  Var x = g.input("x", {batch, in}, true), w = g.input("W", {out, in}, true), b = g.input("b", {out}, true);
  Var y = linear(x, w, b);
  const Feeds<float> f{{x, random_tensor<float>({batch, in}, 11)},
                       {w, random_tensor<float>({out, in}, 12)},
                       {b, random_tensor<float>({out}, 13)}};
  const std::vector<Tensor<float>> seeds{random_tensor<float>({batch, out}, 14)};
  const Run<float> r1 = run<float>(g, {y}, f, &seeds, 1), r2 = run<float>(g, {y}, f, &seeds, 2);
  CHECK(same_bits(r1.values[0], r2.values[0]));
  REQUIRE(r1.grads.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) CHECK(same_bits(r1.grads[k], r2.grads[k]));
  // Against double-precision definitions.
  const Tensor<double> xd = tensor_cast<double>(f[0].second), wd = tensor_cast<double>(f[1].second);
  const Tensor<double> gd = tensor_cast<double>(seeds[0]);
  Tensor<double> want = naive_matmul(xd, wd, false, true);
  for (std::int64_t i = 0; i < batch * out; ++i) want[i] += f[2].second[i % out];
  check_close(r1.values[0], {batch, out}, want.data, 1e-4);
  check_close(r1.grads[0], {batch, in}, naive_matmul(gd, wd, false, false).data, 1e-4);
  check_close(r1.grads[1], {out, in}, naive_matmul(gd, xd, true, false).data, 1e-4);
  std::vector<double> db(static_cast<std::size_t>(out), 0.0);
  for (std::int64_t i = 0; i < batch * out; ++i) db[static_cast<std::size_t>(i % out)] += gd[i];
  check_close(r1.grads[2], {out}, db, 1e-4);
}

TEST_CASE("matmul and linear shape errors name the op and both shapes", "[ops][matmul][linear]") {
  Graph g;
  Var a = g.input("a", {2, 3}), b = g.input("b", {4, 5}), v = g.input("v", {3});
  std::string msg = error_of([&] { matmul(a, b); });
  CHECK_THAT(msg, Catch::Matchers::Contains("matmul") && Catch::Matchers::Contains("[2, 3]") &&
                      Catch::Matchers::Contains("[4, 5]"));
  msg = error_of([&] { matmul(a, b, true, true); });  // [3, 2] times [5, 4]: 2 vs 5
  CHECK_THAT(msg, Catch::Matchers::Contains("matmul") && Catch::Matchers::Contains("[2, 3]") &&
                      Catch::Matchers::Contains("[4, 5]"));
  CHECK_NOTHROW(matmul(a, g.input("c", {2, 5}), true, false));
  msg = error_of([&] { matmul(a, v); });
  CHECK_THAT(msg, Catch::Matchers::Contains("matmul") && Catch::Matchers::Contains("2-D"));

  Var x = g.input("x", {8, 3}), w = g.input("W", {4, 3}), bias = g.input("bias", {4});
  CHECK_NOTHROW(linear(x, w, bias));
  msg = error_of([&] { linear(x, g.input("W2", {4, 5}), bias); });
  CHECK_THAT(msg, Catch::Matchers::Contains("linear") && Catch::Matchers::Contains("[8, 3]") &&
                      Catch::Matchers::Contains("[4, 5]"));
  msg = error_of([&] { linear(x, w, g.input("b5", {5})); });
  CHECK_THAT(msg, Catch::Matchers::Contains("linear") && Catch::Matchers::Contains("[5]") &&
                      Catch::Matchers::Contains("[4, 3]"));
  CHECK_THROWS_AS(linear(x, w, g.input("b2d", {1, 4})), std::invalid_argument);
  CHECK_THROWS_AS(linear(v, w, bias), std::invalid_argument);
}

// ---------------------------------------------------------------- shape ops

TEST_CASE("transpose: values and gradient", "[ops][shape]") {
  Graph g;
  Var x = g.input("x", {2, 3}, true);
  const Feeds<double> f{{x, Tensor<double>({2, 3}, {1, 2, 3, 4, 5, 6})}};
  check_close(eval1(g, transpose(x), f), {3, 2}, {1, 4, 2, 5, 3, 6});
  check_close(grads1(g, transpose(x), f, Tensor<double>({3, 2}, {1, 2, 3, 4, 5, 6}))[0], {2, 3}, {1, 3, 5, 2, 4, 6});
  // Big enough for several tiles and threads: transpose twice is the identity, on any thread count.
  Graph h;
  Var y = h.input("y", {67, 45});
  const Feeds<float> fy{{y, random_tensor<float>({67, 45}, 9)}};
  Var tt = transpose(transpose(y));
  CHECK(same_bits(run<float>(h, {tt}, fy, nullptr, 2).values[0], fy[0].second));
  CHECK_THROWS_AS(transpose(h.input("z", {2, 3, 4})), std::invalid_argument);
}

TEST_CASE("reshape: -1, values and errors", "[ops][shape]") {
  Graph g;
  Var x = g.input("x", {2, 3, 4}, true);
  CHECK(reshape(x, {6, -1}).shape() == Shape{6, 4});
  CHECK(reshape(x, {-1}).shape() == Shape{24});
  CHECK(reshape(x, {4, 3, 2}).shape() == Shape{4, 3, 2});
  const Tensor<double> v = random_tensor<double>({2, 3, 4}, 5);
  const Feeds<double> f{{x, v}};
  Var r = reshape(x, {-1, 8});
  CHECK(eval1(g, r, f).data == v.data);
  CHECK(grads1(g, r, f, Tensor<double>({3, 8}, v.data))[0].data == v.data);
  CHECK_THAT(error_of([&] { reshape(x, {5, -1}); }),
             Catch::Matchers::Contains("reshape") && Catch::Matchers::Contains("[2, 3, 4]"));
  CHECK_THAT(error_of([&] { reshape(x, {5, 5}); }),
             Catch::Matchers::Contains("reshape") && Catch::Matchers::Contains("[5, 5]"));
  CHECK_THROWS_AS(reshape(x, {-1, -1}), std::invalid_argument);
  CHECK_THROWS_AS(reshape(x, {-2, -12}), std::invalid_argument);
  CHECK_THROWS_AS(reshape(x, {0, -1}), std::invalid_argument);
}

TEST_CASE("concat and slice: values, round trip, gradient", "[ops][shape]") {
  Graph g;
  Var a = g.input("a", {2, 2}, true), b = g.input("b", {2, 1}, true), c = g.input("c", {1, 2}, true);
  const Feeds<double> f{{a, Tensor<double>({2, 2}, {1, 2, 3, 4})},
                        {b, Tensor<double>({2, 1}, {5, 6})},
                        {c, Tensor<double>({1, 2}, {7, 8})}};
  check_close(eval1(g, concat({a, b}, 1), f), {2, 3}, {1, 2, 5, 3, 4, 6});
  check_close(eval1(g, concat({a, b}, -1), f), {2, 3}, {1, 2, 5, 3, 4, 6});
  check_close(eval1(g, concat({a, c, a}, 0), f), {5, 2}, {1, 2, 3, 4, 7, 8, 1, 2, 3, 4});
  check_close(eval1(g, slice(concat({a, b}, 1), 1, -1, 3), f), {2, 1}, {5, 6});
  // Gradients: each part gets its block; a used twice gets both.
  const auto gr = grads1(g, concat({a, c, a}, 0), f, Tensor<double>({5, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  check_close(gr[0], {2, 2}, {8, 10, 12, 14});
  REQUIRE(gr.size() == 2);  // a and c: b is not used by this output
  check_close(gr[1], {1, 2}, {5, 6});

  // Round trip on a rank-3 tensor along each axis.
  Graph h;
  Var x = h.input("x", {3, 5, 4}, true);
  const Tensor<double> xv = random_tensor<double>({3, 5, 4}, 21);
  const Feeds<double> fx{{x, xv}};
  for (int axis : {0, 1, 2, -1}) {
    INFO("axis " << axis);
    const std::int64_t d = Shape{3, 5, 4}[static_cast<std::size_t>((axis + 3) % 3)];
    Var y = concat({slice(x, axis, 0, 1), slice(x, axis, 1, d - 1), slice(x, axis, -1, d)}, axis);
    CHECK(eval1(h, y, fx).data == xv.data);
    // Every element is in exactly one slice: the gradient is the seed.
    CHECK(grads1(h, y, fx, xv)[0].data == xv.data);
  }
  // A slice's gradient is the seed inside it, zero elsewhere.
  const auto gs = grads1(h, slice(x, 1, 1, 3), fx, Tensor<double>({3, 2, 4}, 1.0))[0];
  for (std::int64_t i = 0; i < 60; ++i) {
    const std::int64_t j = (i / 4) % 5;
    CHECK(gs[i] == ((j == 1 || j == 2) ? 1.0 : 0.0));
  }
}

TEST_CASE("concat and slice errors", "[ops][shape]") {
  Graph g;
  Var a = g.input("a", {2, 3}), b = g.input("b", {4, 5});
  CHECK_THAT(error_of([&] { concat({a, b}, 0); }),
             Catch::Matchers::Contains("concat") && Catch::Matchers::Contains("[2, 3]") &&
                 Catch::Matchers::Contains("[4, 5]"));
  CHECK_THROWS_AS(concat({a, g.input("c", {2})}, 0), std::invalid_argument);
  CHECK_THROWS_AS(concat({a, a}, 2), std::invalid_argument);
  CHECK_THROWS_AS(concat({a, a}, -3), std::invalid_argument);
  CHECK_THROWS_AS(concat({}, 0), std::invalid_argument);
  CHECK(concat({a, a}, -2).shape() == Shape{4, 3});
  CHECK_THAT(error_of([&] { slice(a, 1, 1, 4); }),
             Catch::Matchers::Contains("slice") && Catch::Matchers::Contains("[2, 3]"));
  CHECK_THROWS_AS(slice(a, 1, 2, 1), std::invalid_argument);
  CHECK_THROWS_AS(slice(a, 2, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(slice(a, 0, -3, 1), std::invalid_argument);
  CHECK(slice(a, -1, -2, 3).shape() == Shape{2, 2});
}

// ---------------------------------------------------------------- reductions

TEST_CASE("sum and mean: values", "[ops][reductions]") {
  Graph g;
  Var x = g.input("x", {2, 3});
  const Feeds<double> f{{x, Tensor<double>({2, 3}, {1, 2, 3, 4, 5, 6})}};
  check_close(eval1(g, sum(x), f), {}, {21});
  check_close(eval1(g, mean(x), f), {}, {3.5});
  check_close(eval1(g, sum(x, 0), f), {3}, {5, 7, 9});
  check_close(eval1(g, sum(x, 1), f), {2}, {6, 15});
  check_close(eval1(g, sum(x, -2, true), f), {1, 3}, {5, 7, 9});
  check_close(eval1(g, mean(x, 0), f), {3}, {2.5, 3.5, 4.5});
  check_close(eval1(g, mean(x, -1, true), f), {2, 1}, {2, 5});
  // Rank 3, middle axis: x[o][t][j] = 12 o + 4 t + j, so the mean over t is 12 o + j + 4.
  Graph h;
  Var y = h.input("y", {2, 3, 4});
  Tensor<double> yv({2, 3, 4});
  for (std::int64_t i = 0; i < 24; ++i) yv[i] = static_cast<double>(i);
  const Feeds<double> fy{{y, yv}};
  std::vector<double> want;
  for (int o = 0; o < 2; ++o)
    for (int j = 0; j < 4; ++j) want.push_back(12 * o + j + 4);
  check_close(eval1(h, mean(y, 1), fy), {2, 4}, want);
  check_close(eval1(h, mean(y, 1, true), fy), {2, 1, 4}, want);
}

TEST_CASE("sum and mean: gradients", "[ops][reductions]") {
  Graph g;
  Var x = g.input("x", {2, 3}, true);
  const Feeds<double> f{{x, Tensor<double>({2, 3}, {1, 2, 3, 4, 5, 6})}};
  check_close(grads1(g, sum(x), f, Tensor<double>(Shape{}, 2.0))[0], {2, 3}, {2, 2, 2, 2, 2, 2});
  check_close(grads1(g, mean(x), f, Tensor<double>(Shape{}, 3.0))[0], {2, 3}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
  check_close(grads1(g, sum(x, 0), f, Tensor<double>({3}, {1, 2, 3}))[0], {2, 3}, {1, 2, 3, 1, 2, 3});
  check_close(grads1(g, mean(x, 1), f, Tensor<double>({2}, {3, 6}))[0], {2, 3}, {1, 1, 1, 2, 2, 2});
  check_close(grads1(g, mean(x, 0, true), f, Tensor<double>({1, 3}, {2, 4, 6}))[0], {2, 3}, {1, 2, 3, 1, 2, 3});
}

TEST_CASE("sum and mean: the same bits on 1 and 2 threads", "[ops][reductions]") {
  Graph g;
  Var x = g.input("x", {400, 250}, true);
  const Feeds<float> f{{x, random_tensor<float>({400, 250}, 31)}};
  const std::vector<Var> outs{sum(x), mean(x), sum(x, 0), sum(x, 1), mean(x, -1, true), mean(x, 0, true)};
  for (Var o : outs) {
    INFO(g.label(o.id) << " " << g.node(o).op->attrs());
    const std::vector<Tensor<float>> seeds{random_tensor<float>(o.shape(), 32)};
    const Run<float> r1 = run<float>(g, {o}, f, &seeds, 1), r2 = run<float>(g, {o}, f, &seeds, 2);
    CHECK(same_bits(r1.values[0], r2.values[0]));
    CHECK(same_bits(r1.grads[0], r2.grads[0]));
  }
  // And right: the float total against a double one.
  double total = 0;
  for (float v : f[0].second.data) total += v;
  CHECK(run<float>(g, {outs[0]}, f).values[0][0] == Approx(total).margin(1e-2));
}

TEST_CASE("reduction errors", "[ops][reductions]") {
  Graph g;
  Var x = g.input("x", {2, 3});
  CHECK_THAT(error_of([&] { sum(x, 2); }), Catch::Matchers::Contains("sum") && Catch::Matchers::Contains("[2, 3]"));
  CHECK_THROWS_AS(mean(x, -3), std::invalid_argument);
  CHECK_THROWS_AS(sum(g.scalar(1.0), 0), std::invalid_argument);
  CHECK_THROWS_AS(mean(g.input("e", {0, 3})), std::invalid_argument);
  CHECK_THROWS_AS(mean(g.input("e2", {0, 3}), 0), std::invalid_argument);
  CHECK(sum(g.input("e3", {0, 3}), 0).shape() == Shape{3});
}

// ---------------------------------------------------------------- memory planning

TEST_CASE("every op's saves() survives memory reuse", "[ops][plan]") {
  // A chain through every op of this file: with buffers reused as soon as
  // saves() allows, the gradients must be the same bits as with nothing reused.
  Graph g;
  Var x = g.input("x", {6, 5}, true), w1 = g.input("W1", {4, 5}, true), b1 = g.input("b1", {4}, true);
  Var w2 = g.input("W2", {4, 3}, true), w3 = g.input("W3", {3, 5}, true);
  Var h = sigmoid(linear(x, w1, b1));
  Var t = tanh(matmul(h, w2));                                      // (6, 3)
  Var u = concat({relu(t), softplus(slice(t, 1, 0, 2)), leaky_relu(t, 0.1)}, 1);  // (6, 8)
  Var v = elu(transpose(u));                                        // (8, 6)
  Var r = reshape(identity(v), {4, -1});                            // (4, 12)
  Var z = matmul(transpose(x), w3, true, true);                     // (6, 3)
  Var s = sum(mean(r, 0)) + mean(sum(square(z), 1, true)) + sum(tanh(mean(u, 1)));
  const Feeds<double> f{{x, random_tensor<double>({6, 5}, 41)},  {w1, random_tensor<double>({4, 5}, 42)},
                        {b1, random_tensor<double>({4}, 43)},    {w2, random_tensor<double>({4, 3}, 44)},
                        {w3, random_tensor<double>({3, 5}, 45)}};
  const Tensor<double> seed(Shape{}, 1.0);
  const auto reused = grads1(g, s, f, seed, 1, true), kept = grads1(g, s, f, seed, 1, false);
  const Plan p = compile(g, {s});
  CHECK(p.arena_elems() < p.naive_elems());  // the planner did reuse something
  REQUIRE(reused.size() == 5);
  for (std::size_t k = 0; k < reused.size(); ++k) {
    INFO("input " << k);
    CHECK(same_bits(reused[k], kept[k]));
  }
}

TEST_CASE("a reshape of a computed value shares its buffers and runs nothing", "[ops][plan]") {
  Graph g;
  Var x = g.input("x", {5, 6}, true);
  Var a = sigmoid(x);
  Var r = reshape(a, {30});
  Var r2 = reshape(r, {6, 5});           // a view of a view
  Var back = reshape(r2, {5, 6});
  Var rx = reshape(x, {6, 5});           // of an input: copied, not aliased
  Var loss = sum(square(r2)) + sum(a * back) + sum(rx * r2);  // a and its view in one op
  for (const bool assign : {true, false}) {
    INFO("assign_grads " << assign);
    const Plan p = compile(g, {loss, r}, {.assign_grads = assign}),
               kept = compile(g, {loss, r}, {.reuse_memory = false, .assign_grads = assign});
    CHECK(p.aliased(r.id));
    CHECK(p.aliased(r2.id));
    CHECK(p.aliased(back.id));
    CHECK_FALSE(p.aliased(rx.id));
    CHECK_FALSE(kept.aliased(r.id));
    CHECK(p.value_offset(r2.id) == p.value_offset(a.id));
    CHECK(p.grad_offset(r2.id) == p.grad_offset(a.id));
    CHECK(p.arena_elems() < kept.arena_elems());
    // The same bits as every value kept apart, on the first step and on a later one (dirty buffers).
    ParamStore<double> ps;
    Executor<double> e1(p, ps), e2(kept, ps);
    const auto xv = random_tensor<double>({5, 6}, 61);
    e1.set_input(x, xv);
    e2.set_input(x, xv);
    const std::vector<Tensor<double>> seeds{Tensor<double>(Shape{}, 1.0), random_tensor<double>({30}, 62)};
    for (int step = 0; step < 2; ++step) {
      e1.forward();
      e1.backward(seeds);
      e2.forward();
      e2.backward(seeds);
      CHECK(same_bits(e1.value(r), e2.value(r)));   // an output through a view
      CHECK(same_bits(e1.value(loss), e2.value(loss)));
      const auto g1 = e1.grad(x), g2 = e2.grad(x);
      for (std::size_t i = 0; i < g1.data.size(); ++i) CHECK(g1.data[i] == Approx(g2.data[i]).epsilon(1e-14));
    }
  }
}

TEST_CASE("a gradient's first writer assigns it when it can, the rest are cleared", "[ops][plan]") {
  Graph g;
  Var x = g.input("x", {3, 4}, true), y = g.input("y", {4, 4}, true);
  Var s = sigmoid(x);          // first (only) writer of dx: assigns
  Var p = s * s;               // mul adds: ds is cleared first
  Var m = matmul(y, y);        // y twice in one op: two contributions, so dy is cleared
  Var loss = sum(p) + sum(m);
  const Plan plan = compile(g, {loss});
  CHECK(plan.fresh_grads(s.id) == 1u);
  CHECK(plan.fresh_grads(p.id) == 0u);
  CHECK(plan.fresh_grads(m.id) == 0u);
  const Plan cleared = compile(g, {loss}, {.assign_grads = false});
  CHECK(cleared.fresh_grads(s.id) == 0u);
  // Either way, the same gradients, on the first and on a later step (dirty buffers).
  const Feeds<double> f{{x, random_tensor<double>({3, 4}, 51)}, {y, random_tensor<double>({4, 4}, 52)}};
  ParamStore<double> ps;
  Executor<double> a(plan, ps), b(cleared, ps);
  for (const auto& [v, t] : f) {
    a.set_input(v, t);
    b.set_input(v, t);
  }
  for (int step = 0; step < 2; ++step) {
    a.forward();
    a.backward();
    b.forward();
    b.backward();
    CHECK(a.grad(x).data == b.grad(x).data);
    CHECK(a.grad(y).data == b.grad(y).data);
  }
}

TEST_CASE("each op alone: saves() keeps what backward reads", "[ops][plan]") {
  // in_k -> (* 1.5) -> op -> (* 2) -> sum, then filler chains whose buffers take
  // any slot the plan frees. mul_scalar and sum read no values, so if an op
  // under-declares saves(), the fillers overwrite what its backward reads.
  using Build = std::function<Var(const std::vector<Var>&)>;
  struct Case {
    std::string title;
    std::vector<Shape> shapes;
    Build build;
  };
  const Shape s65{6, 5};
  const std::vector<Case> cases{
      {"sigmoid", {s65}, [](const std::vector<Var>& v) { return sigmoid(v[0]); }},
      {"tanh", {s65}, [](const std::vector<Var>& v) { return tanh(v[0]); }},
      {"relu", {s65}, [](const std::vector<Var>& v) { return relu(v[0]); }},
      {"leaky_relu", {s65}, [](const std::vector<Var>& v) { return leaky_relu(v[0], 0.2); }},
      {"elu", {s65}, [](const std::vector<Var>& v) { return elu(v[0], 0.7); }},
      {"softplus", {s65}, [](const std::vector<Var>& v) { return softplus(v[0]); }},
      {"identity", {s65}, [](const std::vector<Var>& v) { return identity(v[0]); }},
      {"matmul", {{6, 5}, {5, 4}}, [](const std::vector<Var>& v) { return matmul(v[0], v[1]); }},
      {"matmul ^T ^T", {{5, 6}, {4, 5}}, [](const std::vector<Var>& v) { return matmul(v[0], v[1], true, true); }},
      {"linear", {{6, 5}, {4, 5}, {4}}, [](const std::vector<Var>& v) { return linear(v[0], v[1], v[2]); }},
      {"transpose", {s65}, [](const std::vector<Var>& v) { return transpose(v[0]); }},
      {"reshape", {s65}, [](const std::vector<Var>& v) { return reshape(v[0], {-1}); }},
      {"concat", {{6, 5}, {6, 3}}, [](const std::vector<Var>& v) { return concat({v[0], v[1]}, 1); }},
      {"slice", {s65}, [](const std::vector<Var>& v) { return slice(v[0], 1, 1, 4); }},
      {"sum", {s65}, [](const std::vector<Var>& v) { return sum(v[0]); }},
      {"sum axis", {s65}, [](const std::vector<Var>& v) { return sum(v[0], 0); }},
      {"mean", {s65}, [](const std::vector<Var>& v) { return mean(v[0]); }},
      {"mean axis", {s65}, [](const std::vector<Var>& v) { return mean(v[0], -1, true); }},
  };
  std::uint64_t seed = 100;
  for (const Case& c : cases) {
    INFO(c.title);
    Graph g;
    Feeds<double> f;
    std::vector<Var> pre;
    std::vector<Shape> sizes;
    for (std::size_t k = 0; k < c.shapes.size(); ++k) {
      Var x = g.input("x" + std::to_string(k), c.shapes[k], true);
      f.emplace_back(x, random_tensor<double>(c.shapes[k], ++seed, 0.1, 1.0));
      pre.push_back(x * 1.5);
      sizes.push_back(c.shapes[k]);
    }
    Var y = c.build(pre);
    sizes.push_back(y.shape());
    Var out = sum(y * 2.0);
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      Var q = g.input("q" + std::to_string(k), sizes[k]);
      f.emplace_back(q, random_tensor<double>(sizes[k], ++seed, -9, 9));
      out = out + sum((q * 1.0) * 1.0);
    }
    const Tensor<double> one(Shape{}, 1.0);
    const auto reused = grads1(g, out, f, one, 1, true), kept = grads1(g, out, f, one, 1, false);
    REQUIRE(reused.size() == c.shapes.size());
    for (std::size_t k = 0; k < reused.size(); ++k) CHECK(same_bits(reused[k], kept[k]));
  }
}
