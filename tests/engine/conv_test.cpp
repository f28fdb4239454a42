// conv2d, conv_transpose2d, the pools and upsample2d against direct nested-loop
// implementations in double (values and the gradients of every input for a
// random upstream gradient), shapes as PyTorch computes them, shape errors,
// and bitwise-identical results on 1 and 2 threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "engine/executor.hpp"
#include "engine/ops.hpp"
#include "loss_helpers.hpp"

using namespace aeg;
using aeg::test::Feeds;

namespace {

using I = std::int64_t;

// Uniform values rounded to float, so float and double runs see the same inputs
// (and the same ties).
Tensor<double> random_tensor(Rng& rng, Shape s, double lo = -1, double hi = 1) {
  Tensor<double> t(std::move(s));
  for (auto& v : t.data) v = static_cast<double>(static_cast<float>(rng.uniform(lo, hi)));
  return t;
}

struct Result {
  Tensor<double> y;
  std::vector<Tensor<double>> grads;  // of the fed inputs that require one, in feed order
};

// Forward, then backward seeded with `seed`, in T on `threads` threads.
template <class T>
Result run_op(Graph& g, Var out, const Feeds& feeds, const Tensor<double>& seed, int threads = 1) {
  Plan p = compile(g, {out});
  ParamStore<T> ps;
  Executor<T> ex(p, ps, {.threads = threads});
  for (auto& [v, t] : feeds) ex.set_input(v, tensor_cast<T>(t));
  ex.forward();
  Result r{tensor_cast<double>(ex.value(out)), {}};
  ex.backward({tensor_cast<T>(seed)});
  for (auto& [v, t] : feeds)
    if (g.node(v).requires_grad) r.grads.push_back(tensor_cast<double>(ex.grad(v)));
  return r;
}

// Every element within tol * (1 + |want|).
void expect_close(const Tensor<double>& got, const Tensor<double>& want, double tol, const std::string& what) {
  INFO(what << ": got shape " << to_string(got.shape) << ", want " << to_string(want.shape));
  REQUIRE(got.shape == want.shape);
  double worst = 0;
  I at = -1;
  for (I i = 0; i < got.size(); ++i) {
    const double e = std::abs(got[i] - want[i]) / (1 + std::abs(want[i]));
    if (e > worst || std::isnan(e)) {
      worst = std::isnan(e) ? INFINITY : e;
      at = i;
    }
  }
  INFO(what << ": worst relative error " << worst << " at element " << at
            << (at >= 0 ? ": got " + std::to_string(got[at]) + ", want " + std::to_string(want[at]) : ""));
  CHECK(worst <= tol);
}

// ---- direct implementations

struct ConvCfg {
  I n, c, h, w, o, kh, kw, s, p, op;  // op: output padding (transpose only)
  bool bias;
};

std::string describe(const ConvCfg& k) {
  return "N=" + std::to_string(k.n) + " C=" + std::to_string(k.c) + " " + std::to_string(k.h) + "x" +
         std::to_string(k.w) + " O=" + std::to_string(k.o) + " k=" + std::to_string(k.kh) + "x" +
         std::to_string(k.kw) + " s=" + std::to_string(k.s) + " p=" + std::to_string(k.p) +
         " op=" + std::to_string(k.op) + (k.bias ? "" : " no bias");
}

struct Grads {
  Tensor<double> y, dx, dw, db;
};

// y[n,o,oy,ox] = b[o] + sum_{c,i,j} x[n,c,oy s - p + i, ox s - p + j] w[o,c,i,j], and its adjoint.
Grads conv2d_direct(const ConvCfg& k, const Tensor<double>& x, const Tensor<double>& w, const Tensor<double>& b,
                    const Tensor<double>& gy) {
  const I OH = (k.h + 2 * k.p - k.kh) / k.s + 1, OW = (k.w + 2 * k.p - k.kw) / k.s + 1;
  Grads r{Tensor<double>({k.n, k.o, OH, OW}), Tensor<double>(x.shape), Tensor<double>(w.shape),
          Tensor<double>({k.o})};
  auto X = [&](I n, I c, I y, I xx) { return ((n * k.c + c) * k.h + y) * k.w + xx; };
  auto Wi = [&](I o, I c, I i, I j) { return ((o * k.c + c) * k.kh + i) * k.kw + j; };
  auto Y = [&](I n, I o, I y, I xx) { return ((n * k.o + o) * OH + y) * OW + xx; };
  for (I n = 0; n < k.n; ++n)
    for (I o = 0; o < k.o; ++o)
      for (I oy = 0; oy < OH; ++oy)
        for (I ox = 0; ox < OW; ++ox) {
          double acc = k.bias ? b[o] : 0.0;
          const double g = gy[Y(n, o, oy, ox)];
          for (I c = 0; c < k.c; ++c)
            for (I i = 0; i < k.kh; ++i)
              for (I j = 0; j < k.kw; ++j) {
                const I iy = oy * k.s - k.p + i, ix = ox * k.s - k.p + j;
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
                acc += x[X(n, c, iy, ix)] * w[Wi(o, c, i, j)];
                r.dx[X(n, c, iy, ix)] += g * w[Wi(o, c, i, j)];
                r.dw[Wi(o, c, i, j)] += g * x[X(n, c, iy, ix)];
              }
          r.y[Y(n, o, oy, ox)] = acc;
          r.db[o] += g;
        }
  return r;
}

// x (N, C, H, W), w (C, O, kh, kw): every x[n,c,iy,ix] w[c,o,i,j] lands on
// y[n, o, iy s - p + i, ix s - p + j] when that is inside the output.
Grads conv_transpose2d_direct(const ConvCfg& k, const Tensor<double>& x, const Tensor<double>& w,
                              const Tensor<double>& b, const Tensor<double>& gy) {
  const I OH = (k.h - 1) * k.s - 2 * k.p + k.kh + k.op, OW = (k.w - 1) * k.s - 2 * k.p + k.kw + k.op;
  Grads r{Tensor<double>({k.n, k.o, OH, OW}), Tensor<double>(x.shape), Tensor<double>(w.shape),
          Tensor<double>({k.o})};
  auto X = [&](I n, I c, I y, I xx) { return ((n * k.c + c) * k.h + y) * k.w + xx; };
  auto Wi = [&](I c, I o, I i, I j) { return ((c * k.o + o) * k.kh + i) * k.kw + j; };
  auto Y = [&](I n, I o, I y, I xx) { return ((n * k.o + o) * OH + y) * OW + xx; };
  for (I n = 0; n < k.n; ++n)
    for (I o = 0; o < k.o; ++o)
      for (I y = 0; y < OH; ++y)
        for (I xx = 0; xx < OW; ++xx) {
          r.y[Y(n, o, y, xx)] = k.bias ? b[o] : 0.0;
          r.db[o] += gy[Y(n, o, y, xx)];
        }
  for (I n = 0; n < k.n; ++n)
    for (I c = 0; c < k.c; ++c)
      for (I iy = 0; iy < k.h; ++iy)
        for (I ix = 0; ix < k.w; ++ix)
          for (I o = 0; o < k.o; ++o)
            for (I i = 0; i < k.kh; ++i)
              for (I j = 0; j < k.kw; ++j) {
                const I oy = iy * k.s - k.p + i, ox = ix * k.s - k.p + j;
                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                const double g = gy[Y(n, o, oy, ox)];
                r.y[Y(n, o, oy, ox)] += x[X(n, c, iy, ix)] * w[Wi(c, o, i, j)];
                r.dx[X(n, c, iy, ix)] += g * w[Wi(c, o, i, j)];
                r.dw[Wi(c, o, i, j)] += g * x[X(n, c, iy, ix)];
              }
  return r;
}

struct PoolCfg {
  I n, c, h, w, k, s;
  bool ceil;
};

// PyTorch's output side, written out separately from the op.
I torch_pool_side(I n, I k, I s, bool ceil_mode) {
  I o = (n - (k - 1) - 1 + (ceil_mode ? s - 1 : 0)) / s + 1;
  if (ceil_mode && (o - 1) * s >= n) --o;
  return o;
}

// max (first maximum wins) or mean over the in-bounds part of each window.
Grads pool_direct(const PoolCfg& k, bool is_max, const Tensor<double>& x, const Tensor<double>& gy) {
  const I OH = torch_pool_side(k.h, k.k, k.s, k.ceil), OW = torch_pool_side(k.w, k.k, k.s, k.ceil);
  Grads r{Tensor<double>({k.n, k.c, OH, OW}), Tensor<double>(x.shape), {}, {}};
  for (I p = 0; p < k.n * k.c; ++p)
    for (I oy = 0; oy < OH; ++oy)
      for (I ox = 0; ox < OW; ++ox) {
        const I yo = (p * OH + oy) * OW + ox;
        double best = -INFINITY, sum = 0;
        I arg = -1, count = 0;
        for (I i = 0; i < k.k; ++i)
          for (I j = 0; j < k.k; ++j) {
            const I y = oy * k.s + i, xx = ox * k.s + j;
            if (y >= k.h || xx >= k.w) continue;
            const I xi = (p * k.h + y) * k.w + xx;
            if (x[xi] > best) {
              best = x[xi];
              arg = xi;
            }
            sum += x[xi];
            ++count;
          }
        if (is_max) {
          r.y[yo] = best;
          r.dx[arg] += gy[yo];
        } else {
          r.y[yo] = sum / static_cast<double>(count);
          for (I i = 0; i < k.k; ++i)
            for (I j = 0; j < k.k; ++j) {
              const I y = oy * k.s + i, xx = ox * k.s + j;
              if (y < k.h && xx < k.w) r.dx[(p * k.h + y) * k.w + xx] += gy[yo] / static_cast<double>(count);
            }
        }
      }
  return r;
}

Grads upsample_direct(I n, I c, I h, I w, I f, const Tensor<double>& x, const Tensor<double>& gy) {
  Grads r{Tensor<double>({n, c, h * f, w * f}), Tensor<double>(x.shape), {}, {}};
  for (I p = 0; p < n * c; ++p)
    for (I y = 0; y < h * f; ++y)
      for (I xx = 0; xx < w * f; ++xx) {
        const I yi = (p * h * f + y) * w * f + xx, xi = (p * h + y / f) * w + xx / f;
        r.y[yi] = x[xi];
        r.dx[xi] += gy[yi];
      }
  return r;
}

// Builds the op on fresh inputs, runs it in double and float, compares with `want`.
template <class Build>
void compare(const std::string& what, Rng& rng, const Shape& xs, const Shape& ws, const Shape& bs, bool bias,
             Build build, const Shape& ys,
             const std::function<Grads(const Tensor<double>&, const Tensor<double>&, const Tensor<double>&,
                                       const Tensor<double>&)>& direct) {
  Graph g;
  Var x = g.input("x", xs, true);
  Var w = g.input("w", ws, true);
  Var b = bias ? g.input("b", bs, true) : Var{};
  Var y = build(x, w, b);
  REQUIRE(y.shape() == ys);
  const Tensor<double> xv = random_tensor(rng, xs), wv = random_tensor(rng, ws),
                       bv = bias ? random_tensor(rng, bs) : Tensor<double>(bs),
                       gy = random_tensor(rng, ys);
  Feeds feeds{{x, xv}, {w, wv}};
  if (bias) feeds.emplace_back(b, bv);
  const Grads want = direct(xv, wv, bv, gy);
  for (int threads : {1, 2}) {
    const Result rd = run_op<double>(g, y, feeds, gy, threads);
    const std::string tag = what + " (double, " + std::to_string(threads) + " threads)";
    expect_close(rd.y, want.y, 1e-12, tag + " y");
    expect_close(rd.grads[0], want.dx, 1e-12, tag + " dx");
    expect_close(rd.grads[1], want.dw, 1e-12, tag + " dw");
    if (bias) expect_close(rd.grads[2], want.db, 1e-12, tag + " db");
  }
  const Result rf = run_op<float>(g, y, feeds, gy, 2);
  const std::string tag = what + " (float)";
  expect_close(rf.y, want.y, 2e-5, tag + " y");
  expect_close(rf.grads[0], want.dx, 2e-5, tag + " dx");
  expect_close(rf.grads[1], want.dw, 2e-5, tag + " dw");
  if (bias) expect_close(rf.grads[2], want.db, 2e-5, tag + " db");
}

}  // namespace

TEST_CASE("conv2d matches a direct nested-loop convolution, values and gradients", "[conv]") {
  Rng rng(11);
  const std::vector<ConvCfg> cfgs = {
      {1, 1, 5, 5, 1, 3, 3, 1, 0, 0, true},    {2, 3, 7, 6, 4, 3, 3, 2, 1, 0, true},
      {3, 2, 8, 9, 5, 2, 3, 2, 0, 0, false},   {16, 3, 9, 7, 4, 3, 3, 2, 1, 0, true},
      {9, 4, 5, 5, 3, 1, 1, 1, 0, 0, true},    {2, 2, 6, 5, 3, 5, 5, 3, 2, 0, true},
      {2, 2, 4, 5, 3, 1, 1, 2, 1, 0, false},   {1, 8, 28, 28, 16, 3, 3, 1, 1, 0, true},
      {5, 1, 28, 28, 4, 3, 3, 2, 1, 0, true},
      // One or two output channels at stride 1: the direct path, not im2col.
      {10, 16, 28, 28, 1, 3, 3, 1, 1, 0, true}, {3, 3, 6, 7, 2, 3, 2, 1, 2, 0, false},
      {2, 2, 5, 70, 1, 3, 5, 1, 1, 0, true},  // rows wider than 64 lanes
  };
  for (const ConvCfg& k : cfgs) {
    const I OH = (k.h + 2 * k.p - k.kh) / k.s + 1, OW = (k.w + 2 * k.p - k.kw) / k.s + 1;
    compare(
        "conv2d " + describe(k), rng, {k.n, k.c, k.h, k.w}, {k.o, k.c, k.kh, k.kw}, {k.o}, k.bias,
        [&](Var x, Var w, Var b) { return k.bias ? conv2d(x, w, b, k.s, k.p) : conv2d(x, w, k.s, k.p); },
        {k.n, k.o, OH, OW},
        [&](const auto& x, const auto& w, const auto& b, const auto& gy) { return conv2d_direct(k, x, w, b, gy); });
  }
}

TEST_CASE("conv_transpose2d matches a direct nested-loop scatter, values and gradients", "[conv]") {
  Rng rng(12);
  const std::vector<ConvCfg> cfgs = {
      {1, 1, 3, 3, 1, 3, 3, 1, 0, 0, true},   {2, 3, 4, 5, 2, 3, 3, 2, 1, 1, true},
      {3, 2, 3, 3, 4, 2, 3, 3, 0, 2, false},  {16, 4, 7, 7, 3, 3, 3, 2, 1, 1, true},
      {5, 3, 4, 4, 2, 1, 1, 1, 0, 0, true},   {2, 2, 5, 4, 3, 4, 4, 2, 1, 0, true},
      {2, 2, 4, 5, 2, 3, 3, 2, 2, 1, true},   {3, 8, 14, 14, 1, 3, 3, 2, 1, 1, true},
  };
  for (const ConvCfg& k : cfgs) {
    const I OH = (k.h - 1) * k.s - 2 * k.p + k.kh + k.op, OW = (k.w - 1) * k.s - 2 * k.p + k.kw + k.op;
    compare(
        "conv_transpose2d " + describe(k), rng, {k.n, k.c, k.h, k.w}, {k.c, k.o, k.kh, k.kw}, {k.o}, k.bias,
        [&](Var x, Var w, Var b) {
          return k.bias ? conv_transpose2d(x, w, b, k.s, k.p, k.op) : conv_transpose2d(x, w, k.s, k.p, k.op);
        },
        {k.n, k.o, OH, OW},
        [&](const auto& x, const auto& w, const auto& b, const auto& gy) {
          return conv_transpose2d_direct(k, x, w, b, gy);
        });
  }
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d in x", "[conv]") {
  // <conv2d(x, w), y> == <x, conv_transpose2d(y, w)> for the same w (O, C, kh, kw).
  Rng rng(13);
  Graph g;
  Var x = g.input("x", {2, 3, 14, 14});
  Var y = g.input("y", {2, 5, 7, 7});
  Var w = g.input("w", {5, 3, 3, 3});
  Var cx = conv2d(x, w, 2, 1);
  Var ty = conv_transpose2d(y, w, 2, 1, 1);
  REQUIRE(ty.shape() == x.shape());
  const auto xv = random_tensor(rng, x.shape()), yv = random_tensor(rng, y.shape()), wv = random_tensor(rng, w.shape());
  Plan p = compile(g, {cx, ty}, {.grads = false});
  ParamStore<double> ps;
  Executor<double> ex(p, ps);
  ex.set_input(x, xv);
  ex.set_input(y, yv);
  ex.set_input(w, wv);
  ex.forward();
  const auto a = ex.value(cx), b = ex.value(ty);
  double lhs = 0, rhs = 0;
  for (I i = 0; i < a.size(); ++i) lhs += a[i] * yv[i];
  for (I i = 0; i < b.size(); ++i) rhs += xv[i] * b[i];
  CHECK(lhs == Approx(rhs).epsilon(1e-12));
}

TEST_CASE("max_pool2d and avg_pool2d match direct loops, values and gradients", "[conv]") {
  Rng rng(14);
  const std::vector<PoolCfg> cfgs = {
      {2, 3, 7, 7, 2, 2, true}, {2, 3, 7, 7, 2, 2, false}, {1, 2, 8, 7, 3, 2, true},
      {3, 2, 6, 5, 3, 1, false}, {16, 2, 9, 9, 2, 2, true}, {2, 2, 5, 5, 1, 3, true},
      {1, 1, 6, 6, 6, 6, false},
  };
  for (const PoolCfg& k : cfgs) {
    for (bool is_max : {true, false}) {
      const std::string what = std::string(is_max ? "max_pool2d" : "avg_pool2d") + " " + std::to_string(k.h) + "x" +
                               std::to_string(k.w) + " k=" + std::to_string(k.k) + " s=" + std::to_string(k.s) +
                               (k.ceil ? " ceil" : "");
      Graph g;
      Var x = g.input("x", {k.n, k.c, k.h, k.w}, true);
      Var y = is_max ? max_pool2d(x, k.k, k.s, k.ceil) : avg_pool2d(x, k.k, k.s, k.ceil);
      const Shape ys{k.n, k.c, torch_pool_side(k.h, k.k, k.s, k.ceil), torch_pool_side(k.w, k.k, k.s, k.ceil)};
      INFO(what);
      REQUIRE(y.shape() == ys);
      const auto xv = random_tensor(rng, x.shape()), gy = random_tensor(rng, ys);
      const Grads want = pool_direct(k, is_max, xv, gy);
      for (int threads : {1, 2}) {
        const Result r = run_op<double>(g, y, {{x, xv}}, gy, threads);
        expect_close(r.y, want.y, 1e-14, what + " y");
        expect_close(r.grads[0], want.dx, 1e-14, what + " dx");
      }
      const Result rf = run_op<float>(g, y, {{x, xv}}, gy, 2);
      expect_close(rf.y, want.y, 2e-6, what + " y (float)");
      expect_close(rf.grads[0], want.dx, 2e-6, what + " dx (float)");
    }
  }
}

TEST_CASE("max_pool2d sends the gradient to the first maximum on ties", "[conv]") {
  Graph g;
  Var x = g.input("x", {1, 1, 3, 4}, true);
  Var y = max_pool2d(x, 2, 1);  // overlapping 2x2 windows: 2 x 3 outputs
  REQUIRE(y.shape() == Shape{1, 1, 2, 3});
  // Row 0 all equal; row 1 has a later maximum in the second window.
  const Tensor<double> xv({1, 1, 3, 4}, {1, 1, 1, 1,  //
                                         1, 1, 2, 1,  //
                                         0, 0, 0, 0});
  const Tensor<double> gy({1, 1, 2, 3}, {1, 10, 100, 1000, 10000, 100000});
  const Result r = run_op<double>(g, y, {{x, xv}}, gy);
  CHECK(r.y.data == std::vector<double>{1, 2, 2, 1, 2, 2});
  // Windows (0,0),(1,0) pick their top-left; (0,1),(0,2),(1,1),(1,2) pick x[1][2] = 2.
  CHECK(r.grads[0].data == std::vector<double>{1, 0, 0, 0,  //
                                               1000, 0, 100 + 10 + 10000 + 100000, 0,  //
                                               0, 0, 0, 0});
}

TEST_CASE("max_pool2d 2x2 at stride 2 in float: first maximum wins on ties, a NaN propagates", "[conv]") {
  // The vectorised path of whole 2x2 windows against the rule spelt out: candidates
  // in row-major order, a later one taken if greater, or if NaN over a number.
  const I N = 2, C = 3, H = 6, W = 35, OH = 3, OW = 17;
  Rng rng(21);
  Tensor<float> xv({N, C, H, W});
  for (auto& v : xv.data) {
    const double u = rng.uniform();
    v = u < 0.05 ? NAN : static_cast<float>(std::floor(u * 3));  // 0, 1, 2: many ties
  }
  Tensor<float> gy({N, C, OH, OW});
  for (auto& v : gy.data) v = static_cast<float>(rng.uniform(-1, 1));
  Graph g;
  Var x = g.input("x", {N, C, H, W}, true);
  Var y = max_pool2d(x, 2);
  const Plan p = compile(g, {y});
  ParamStore<float> ps;
  Executor<float> ex(p, ps, {.threads = 2});
  ex.set_input(x, xv);
  ex.forward();
  ex.backward({gy});
  std::vector<float> want_dx(xv.data.size(), 0.f);
  for (I pl = 0; pl < N * C; ++pl)
    for (I oy = 0; oy < OH; ++oy)
      for (I ox = 0; ox < OW; ++ox) {
        I best = pl * H * W + 2 * oy * W + 2 * ox;
        for (I dy = 0; dy < 2; ++dy)
          for (I dx = 0; dx < 2; ++dx) {
            const I at = pl * H * W + (2 * oy + dy) * W + 2 * ox + dx;
            const float v = xv.data[static_cast<std::size_t>(at)], b = xv.data[static_cast<std::size_t>(best)];
            if (v > b || (std::isnan(v) && !std::isnan(b))) best = at;
          }
        const float want = xv.data[static_cast<std::size_t>(best)], got = ex.value(y)[(pl * OH + oy) * OW + ox];
        INFO("plane " << pl << " output (" << oy << ", " << ox << ")");
        CHECK((std::isnan(want) ? std::isnan(got) : got == want));
        want_dx[static_cast<std::size_t>(best)] += gy[(pl * OH + oy) * OW + ox];
      }
  CHECK(ex.grad(x).data == want_dx);
}

TEST_CASE("upsample2d matches direct loops, values and gradients", "[conv]") {
  Rng rng(15);
  for (I f : {1, 2, 3}) {
    Graph g;
    Var x = g.input("x", {3, 2, 4, 5}, true);
    Var y = upsample2d(x, f);
    REQUIRE(y.shape() == Shape{3, 2, 4 * f, 5 * f});
    const auto xv = random_tensor(rng, x.shape()), gy = random_tensor(rng, y.shape());
    const Grads want = upsample_direct(3, 2, 4, 5, f, xv, gy);
    for (int threads : {1, 2}) {
      const Result r = run_op<double>(g, y, {{x, xv}}, gy, threads);
      expect_close(r.y, want.y, 0, "upsample y");
      expect_close(r.grads[0], want.dx, 1e-14, "upsample dx");
    }
  }
}

TEST_CASE("conv output shapes are PyTorch's", "[conv]") {
  Graph g;
  // W3 (bench-models.md): 1x28x28 -> 32x14x14 -> 64x7x7, and transposed back to 1x28x28.
  Var x = g.input("x", {128, 1, 28, 28});
  Var h1 = conv2d(x, g.input("w1", {32, 1, 3, 3}), g.input("b1", {32}), 2, 1);
  CHECK(h1.shape() == Shape{128, 32, 14, 14});
  Var h2 = conv2d(h1, g.input("w2", {64, 32, 3, 3}), g.input("b2", {64}), 2, 1);
  CHECK(h2.shape() == Shape{128, 64, 7, 7});
  Var d1 = conv_transpose2d(h2, g.input("w3", {64, 32, 3, 3}), g.input("b3", {32}), 2, 1, 1);
  CHECK(d1.shape() == Shape{128, 32, 14, 14});
  Var d2 = conv_transpose2d(d1, g.input("w4", {32, 1, 3, 3}), g.input("b4", {1}), 2, 1, 1);
  CHECK(d2.shape() == Shape{128, 1, 28, 28});
  // Without output padding the transpose gives 13 (PyTorch: (7-1)*2 - 2 + 3 = 13).
  CHECK(conv_transpose2d(h2, g.input("w5", {64, 32, 3, 3}), 2, 1).shape() == Shape{128, 32, 13, 13});

  // nn.Conv2d(3, 8, 5, stride=3, padding=2) on 17x17 -> 6x6; ConvTranspose2d(8, 3, 5, 3, 2, output_padding=2) -> 18x18.
  Var y = g.input("y", {2, 3, 17, 17});
  Var cy = conv2d(y, g.input("wy", {8, 3, 5, 5}), 3, 2);
  CHECK(cy.shape() == Shape{2, 8, 6, 6});
  CHECK(conv_transpose2d(cy, g.input("wt", {8, 3, 5, 5}), 3, 2, 2).shape() == Shape{2, 3, 18, 18});
  // Output padding per side, as ConvTranspose2d(8, 3, 3, 2, 1, output_padding=(1, 0)): 8x12 -> 16x23.
  Var z = g.input("z", {2, 8, 8, 12});
  CHECK(conv_transpose2d(z, g.input("wz", {8, 3, 3, 3}), g.input("bz", {3}), 2, 1, 1, 0).shape() == Shape{2, 3, 16, 23});
  CHECK(conv_transpose2d_relu(z, g.input("wz2", {8, 3, 3, 3}), g.input("bz2", {3}), 2, 1, 0, 1).shape() ==
        Shape{2, 3, 15, 24});
  // Non-square kernel: nn.Conv2d(3, 4, (3, 2)) on 17x17 -> 15x16.
  CHECK(conv2d(y, g.input("wr", {4, 3, 3, 2})).shape() == Shape{2, 4, 15, 16});

  // Pools: max_pool2d(2, ceil_mode=True) on 7x7 -> 4x4, floor -> 3x3; stride defaults to the kernel.
  Var p = g.input("p", {2, 64, 7, 7});
  CHECK(max_pool2d(p, 2, 2, true).shape() == Shape{2, 64, 4, 4});
  CHECK(max_pool2d(p, 2).shape() == Shape{2, 64, 3, 3});
  CHECK(avg_pool2d(p, 2, 0, true).shape() == Shape{2, 64, 4, 4});
  CHECK(avg_pool2d(p, 3, 2).shape() == Shape{2, 64, 3, 3});
  // AvgPool2d(3, 2, ceil_mode=True) on 6x6 -> 3x3 (floor: 2x2).
  Var q = g.input("q", {1, 1, 6, 6});
  CHECK(avg_pool2d(q, 3, 2, true).shape() == Shape{1, 1, 3, 3});
  CHECK(avg_pool2d(q, 3, 2).shape() == Shape{1, 1, 2, 2});
  // MaxPool2d(1, stride=3, ceil_mode=True) on 5: a last window starting at 6 is dropped -> 2.
  CHECK(max_pool2d(g.input("r", {1, 1, 5, 5}), 1, 3, true).shape() == Shape{1, 1, 2, 2});
  CHECK(upsample2d(p, 4).shape() == Shape{2, 64, 28, 28});
}

TEST_CASE("conv shape errors name the op and both shapes", "[conv]") {
  Graph g;
  Var x = g.input("x", {2, 3, 5, 5});
  auto throws_with = [](auto f, std::vector<std::string> parts) {
    try {
      f();
      FAIL("no exception");
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      INFO(m);
      for (const auto& s : parts) CHECK(m.find(s) != std::string::npos);
    }
  };
  throws_with([&] { conv2d(x, g.input("w", {4, 2, 3, 3})); }, {"conv2d", "[2, 3, 5, 5]", "[4, 2, 3, 3]", "channels"});
  throws_with([&] { conv2d(x, g.input("w1", {4, 3, 3, 3}), g.input("b1", {3})); }, {"conv2d", "[3]", "[4, 3, 3, 3]"});
  throws_with([&] { conv2d(x, g.input("w2", {4, 3, 3})); }, {"conv2d", "[4, 3, 3]", "out_channels"});
  throws_with([&] { conv2d(g.input("x2", {3, 5, 5}), g.input("w3", {4, 3, 3, 3})); }, {"conv2d", "[3, 5, 5]", "(N, C, H, W)"});
  throws_with([&] { conv2d(x, g.input("w4", {4, 3, 7, 7})); }, {"conv2d", "larger", "[4, 3, 7, 7]", "[2, 3, 5, 5]"});
  throws_with([&] { conv2d(x, g.input("w5", {4, 3, 3, 3}), 0, 0); }, {"conv2d", "stride"});
  throws_with([&] { conv_transpose2d(x, g.input("w6", {3, 2, 3, 3}), 2, 1, 2); },
              {"conv_transpose2d", "output_padding 2", "stride 2"});
  throws_with([&] { conv_transpose2d(x, g.input("w6b", {3, 2, 3, 3}), g.input("b6b", {2}), 2, 1, 0, 3); },
              {"conv_transpose2d", "output_padding 3", "stride 2"});
  throws_with([&] { conv_transpose2d(x, g.input("w7", {2, 3, 3, 3})); },
              {"conv_transpose2d", "[2, 3, 5, 5]", "[2, 3, 3, 3]", "channels"});
  throws_with([&] { conv_transpose2d(x, g.input("w8", {3, 4, 3, 3}), g.input("b8", {3})); },
              {"conv_transpose2d", "[3]", "[3, 4, 3, 3]"});
  throws_with([&] { conv_transpose2d(g.input("x9", {1, 3, 1, 1}), g.input("w9", {3, 4, 3, 3}), 1, 2); },
              {"conv_transpose2d", "empty output"});
  throws_with([&] { max_pool2d(x, 6); }, {"max_pool2d", "larger", "[2, 3, 5, 5]"});
  throws_with([&] { avg_pool2d(g.input("x3", {5, 5}), 2); }, {"avg_pool2d", "[5, 5]"});
  throws_with([&] { upsample2d(x, 0); }, {"upsample2d", "factor"});
}

TEST_CASE("conv ops give the same bits on 1 and 2 threads (batch 16)", "[conv]") {
  Rng rng(16);
  auto same_bits = [](const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  };
  SECTION("W3's encoder and decoder") {
    Graph g;
    Feeds f;
    auto in = [&](const std::string& n, Shape s) {
      Var v = g.input(n, s, true);
      f.emplace_back(v, random_tensor(rng, s, -0.5, 0.5));
      return v;
    };
    Var x = in("x", {16, 1, 28, 28});
    Var h = conv2d(x, in("w1", {32, 1, 3, 3}), in("b1", {32}), 2, 1);
    h = conv2d(h, in("w2", {64, 32, 3, 3}), in("b2", {64}), 2, 1);
    h = conv_transpose2d(h, in("w3", {64, 32, 3, 3}), in("b3", {32}), 2, 1, 1);
    h = conv_transpose2d(h, in("w4", {32, 1, 3, 3}), in("b4", {1}), 2, 1, 1);
    const auto one = aeg::test::run_flat<float>(g, h, f, 1);
    const auto two = aeg::test::run_flat<float>(g, h, f, 2);
    CHECK(one.size() > 16 * 28 * 28);
    CHECK(same_bits(one, two));
  }
  SECTION("pools, upsampling and a conv without bias") {
    Graph g;
    Feeds f;
    auto in = [&](const std::string& n, Shape s) {
      Var v = g.input(n, s, true);
      f.emplace_back(v, random_tensor(rng, s));
      return v;
    };
    Var x = in("x", {16, 3, 12, 12});
    Var h = conv2d(x, in("w1", {8, 3, 3, 3}), 1, 1);
    h = max_pool2d(h, 3, 2, true);
    h = upsample2d(h, 2);
    h = avg_pool2d(h, 3, 1);
    h = conv_transpose2d(h, in("w2", {8, 4, 1, 1}));
    CHECK(same_bits(aeg::test::run_flat<float>(g, h, f, 1), aeg::test::run_flat<float>(g, h, f, 2)));
  }
  SECTION("one large sample (the GEMM splits instead of the batch)") {
    Graph g;
    Feeds f;
    auto in = [&](const std::string& n, Shape s) {
      Var v = g.input(n, s, true);
      f.emplace_back(v, random_tensor(rng, s));
      return v;
    };
    Var x = in("x", {1, 32, 28, 28});
    Var h = conv2d(x, in("w1", {64, 32, 3, 3}), in("b1", {64}), 1, 1);
    h = conv_transpose2d(h, in("w2", {64, 32, 3, 3}), in("b2", {32}), 2, 1, 1);
    CHECK(same_bits(aeg::test::run_flat<float>(g, h, f, 1), aeg::test::run_flat<float>(g, h, f, 2)));
  }
}

TEST_CASE("a fused relu gives the bits of the conv then relu, values and gradients", "[conv]") {
  auto same_bits = [](const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  };
  // loss = sum(h * r), r fixed, so each output gets its own gradient of either sign.
  auto run = [&](std::int64_t n, bool transposed, bool fused) {
    Rng rng(21);
    Graph g;
    Feeds f;
    auto in = [&](const std::string& name, Shape s, bool grad) {
      Var v = g.input(name, s, grad);
      f.emplace_back(v, random_tensor(rng, s, -0.5, 0.5));
      return v;
    };
    Var x = in("x", {n, 4, 7, 7}, true);
    Var w = in("w", transposed ? Shape{4, 6, 3, 3} : Shape{6, 4, 3, 3}, true);
    Var b = in("b", {6}, true);
    Var h = transposed ? (fused ? conv_transpose2d_relu(x, w, b, 2, 1, 1) : relu(conv_transpose2d(x, w, b, 2, 1, 1)))
                       : (fused ? conv2d_relu(x, w, b, 2, 1) : relu(conv2d(x, w, b, 2, 1)));
    Var r = in("r", h.shape(), false);
    return aeg::test::run_flat<float>(g, sum(h * r), f, 2);
  };
  for (std::int64_t n : {1, 16})
    for (bool transposed : {false, true}) {
      INFO("batch " << n << (transposed ? ", conv_transpose2d" : ", conv2d"));
      const auto unfused = run(n, transposed, false);
      CHECK(unfused.size() > static_cast<std::size_t>(n * 4 * 49));
      CHECK(same_bits(unfused, run(n, transposed, true)));
    }
}

TEST_CASE("conv aux state is reused across steps: two forwards give the same output", "[conv]") {
  Rng rng(17);
  Graph g;
  Var x = g.input("x", {10, 2, 9, 9}, true);
  Var w = g.input("w", {3, 2, 3, 3}, true);
  Var wt = g.input("wt", {3, 2, 3, 3});
  Var y = conv_transpose2d(conv2d(x, w, 2, 1), wt, 2, 1);
  Plan p = compile(g, {y});
  ParamStore<double> ps;
  Executor<double> ex(p, ps, {.threads = 2});
  ex.set_input(x, random_tensor(rng, x.shape()));
  ex.set_input(w, random_tensor(rng, w.shape()));
  ex.set_input(wt, random_tensor(rng, wt.shape()));
  ex.forward();
  const auto a = ex.value(y);
  ex.backward();
  const auto ga = ex.grad(w);
  ex.forward();
  ex.backward();
  CHECK(ex.value(y).data == a.data);
  CHECK(ex.grad(w).data == ga.data);
}
