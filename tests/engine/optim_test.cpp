// SGD and Adam against PyTorch's formulas, written out again as naive loops,
// on small quadratics whose gradients are known in closed form.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>

#include "engine/executor.hpp"
#include "engine/ops.hpp"
#include "engine/optim.hpp"

using namespace aeg;

namespace {

// loss = sum A * (w - C)^2 + sum (b - D)^2 through a graph (backward seeds
// every output element with 1, so no reduction op is needed):
//   dloss/dw = 2 A (w - C),  dloss/db = 2 (b - D).
struct Quadratic {
  Graph g;
  Var w, b, out1, out2;
  Tensor<double> A{{2, 3}, {1.0, 0.5, 2.0, 3.0, 0.25, 1.5}};
  Tensor<double> C{{2, 3}, {0.3, -0.7, 1.1, 0.0, 2.0, -1.3}};
  Tensor<double> D{{3}, {0.5, -0.25, 4.0}};
  std::unique_ptr<Plan> plan;

  Quadratic() {
    w = g.param("w", {2, 3}, Init::uniform(-1, 1));
    b = g.param("b", {3}, Init::uniform(-1, 1));
    out1 = g.constant(A) * square(w - g.constant(C));
    out2 = square(b - g.constant(D));
    plan = std::make_unique<Plan>(compile(g, {out1, out2}));
  }
  // The gradients the graph must produce, by hand.
  void grads(const std::vector<double>& w_, const std::vector<double>& b_, std::vector<double>& gw,
             std::vector<double>& gb) const {
    gw.resize(6);
    gb.resize(3);
    for (int i = 0; i < 6; ++i) gw[i] = 2 * A[i] * (w_[i] - C[i]);
    for (int i = 0; i < 3; ++i) gb[i] = 2 * (b_[i] - D[i]);
  }
};

template <class T>
std::vector<double> as_doubles(const Tensor<T>& t) {
  return std::vector<double>(t.data.begin(), t.data.end());
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, double rel) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(rel).margin(rel));
  }
}

// PyTorch's Adam, one element at a time (torch/optim/adam.py, _single_tensor_adam).
struct RefAdam {
  double lr, b1, b2, eps, wd;
  std::vector<double> m, v;
  int t = 0;
  void step(std::vector<double>& p, std::vector<double> g) {
    if (m.empty()) m.assign(p.size(), 0), v.assign(p.size(), 0);
    ++t;
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (wd != 0) g[i] += wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const double denom = std::sqrt(v[i]) / std::sqrt(bc2) + eps;
      p[i] -= (lr / bc1) * m[i] / denom;
    }
  }
};

// PyTorch's SGD (torch/optim/sgd.py, _single_tensor_sgd).
struct RefSGD {
  double lr, momentum, dampening, wd;
  bool nesterov;
  std::vector<double> buf;
  void step(std::vector<double>& p, std::vector<double> g) {
    const bool first = buf.empty();
    if (first) buf.assign(p.size(), 0);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double d = g[i];
      if (wd != 0) d += wd * p[i];
      if (momentum != 0) {
        buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
  }
};

}  // namespace

TEST_CASE("Adam follows PyTorch's update on a quadratic", "[optim]") {
  // decay_biases = false leaves the 1-D parameter b undecayed, like a
  // PyTorch parameter group with weight_decay 0.
  for (auto [wd, decay_biases] : {std::pair{0.0, true}, std::pair{0.05, true}, std::pair{0.05, false}}) {
    INFO("weight_decay " << wd << " decay_biases " << decay_biases);
    Quadratic q;
    ParamStore<double> ps;
    Rng rng(3);
    ps.init_from(q.g, rng);
    std::vector<double> w = as_doubles(ps.at("w").value), b = as_doubles(ps.at("b").value);
    Adam<double> opt(ps, {.lr = 0.05, .betas = {0.8, 0.95}, .eps = 1e-6, .weight_decay = wd,
                          .decay_biases = decay_biases});
    RefAdam rw{0.05, 0.8, 0.95, 1e-6, wd, {}, {}}, rb = rw;
    if (!decay_biases) rb.wd = 0;
    Executor<double> ex(*q.plan, ps);
    for (int s = 0; s < 6; ++s) {
      opt.zero_grad();
      ex.forward();
      ex.backward();
      std::vector<double> gw, gb;
      q.grads(w, b, gw, gb);
      check_close(as_doubles(ps.at("w").grad), gw, 1e-14);
      opt.step();
      rw.step(w, gw);
      rb.step(b, gb);
      check_close(as_doubles(ps.at("w").value), w, 1e-12);
      check_close(as_doubles(ps.at("b").value), b, 1e-12);
    }
    CHECK(opt.steps() == 6);
    auto st = opt.state_tensors();
    REQUIRE(st.size() == 4);
    CHECK(st[0].first == "m/w");
    CHECK(st[1].first == "v/w");
    CHECK(st[2].first == "m/b");
    CHECK(st[3].first == "v/b");
    check_close(as_doubles(st[0].second), rw.m, 1e-12);
    check_close(as_doubles(st[3].second), rb.v, 1e-12);
  }
}

TEST_CASE("SGD follows PyTorch's update: momentum, nesterov, dampening, weight decay", "[optim]") {
  struct Cfg {
    double momentum, dampening, wd;
    bool nesterov, decay_biases = true;
  };
  for (Cfg c : {Cfg{0, 0, 0, false}, Cfg{0, 0, 0.1, false}, Cfg{0.9, 0, 0, false}, Cfg{0.9, 0, 0, true},
                Cfg{0.8, 0, 0.01, true}, Cfg{0.7, 0.3, 0.02, false}, Cfg{0, 0, 0.1, false, false},
                Cfg{0.8, 0, 0.01, true, false}}) {
    INFO("momentum " << c.momentum << " dampening " << c.dampening << " wd " << c.wd << " nesterov " << c.nesterov
                     << " decay_biases " << c.decay_biases);
    Quadratic q;
    ParamStore<double> ps;
    Rng rng(5);
    ps.init_from(q.g, rng);
    std::vector<double> w = as_doubles(ps.at("w").value), b = as_doubles(ps.at("b").value);
    SGD<double> opt(ps, {.lr = 0.04, .momentum = c.momentum, .dampening = c.dampening, .weight_decay = c.wd,
                         .decay_biases = c.decay_biases, .nesterov = c.nesterov});
    RefSGD rw{0.04, c.momentum, c.dampening, c.wd, c.nesterov, {}}, rb = rw;
    if (!c.decay_biases) rb.wd = 0;
    Executor<double> ex(*q.plan, ps);
    for (int s = 0; s < 6; ++s) {
      opt.zero_grad();
      ex.forward();
      ex.backward();
      std::vector<double> gw, gb;
      q.grads(w, b, gw, gb);
      opt.step();
      rw.step(w, gw);
      rb.step(b, gb);
      check_close(as_doubles(ps.at("w").value), w, 1e-12);
      check_close(as_doubles(ps.at("b").value), b, 1e-12);
    }
    const auto st = opt.state_tensors();
    if (c.momentum == 0) {
      CHECK(st.empty());
    } else {
      REQUIRE(st.size() == 2);
      CHECK(st[0].first == "momentum/w");
      check_close(as_doubles(st[0].second), rw.buf, 1e-12);
    }
  }
}

TEST_CASE("Adam on p^2 from p = 1 with lr 0.1: the first steps by hand", "[optim]") {
  // t = 1: g = 2, m = 0.2, v = 0.004; bias corrections 0.1 and 0.001, so
  //   step_size = 1 and denom = sqrt(0.004) / sqrt(0.001) + 1e-8 = 2 + 1e-8:
  //   p = 1 - 0.2 / (2 + 1e-8) = 0.9000000005 (Adam's first step is lr in size).
  // t = 2: g = 1.800000001, m = 0.18 + 0.1800000001 = 0.3600000001,
  //   v = 0.003996 + 0.0032400000036 = 0.0072360000036; corrections 0.19, 0.001999:
  //   p = 0.9000000005 - (0.1 / 0.19) * 0.3600000001 / (0.08506468... / 0.04471018... + 1e-8)
  //     = 0.80041222869...
  // t = 3 likewise: 0.70158627294...
  Graph g;
  Var p = g.param("p", {}, Init::constant(1.0));
  Var f = square(p);
  const Plan plan = compile(g, {f});
  ParamStore<double> ps;
  Rng rng(0);
  ps.init_from(g, rng);
  Adam<double> opt(ps, {.lr = 0.1});
  Executor<double> ex(plan, ps);
  const double expected[] = {0.9000000005, 0.8004122286917927, 0.7015862729460302};
  for (double e : expected) {
    opt.zero_grad();
    ex.forward();
    ex.backward();
    opt.step();
    CHECK(ps.at("p").value[0] == Approx(e).epsilon(1e-13));
  }

  // SGD with momentum 0.9 on the same function: p = 1 - 0.1 * 2 = 0.8, then
  // buf = 0.9 * 2 + 1.6 = 3.4 and p = 0.8 - 0.34 = 0.46; with nesterov the
  // first step uses 2 + 0.9 * 2 = 3.8, so p = 0.62.
  ParamStore<double> ps2, ps3;
  ps2.init_from(g, rng);
  ps3.init_from(g, rng);
  SGD<double> sgd(ps2, {.lr = 0.1, .momentum = 0.9});
  SGD<double> nag(ps3, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  Executor<double> ex2(plan, ps2), ex3(plan, ps3);
  for (int s = 0; s < 2; ++s) {
    sgd.zero_grad();
    nag.zero_grad();
    ex2.forward();
    ex2.backward();
    ex3.forward();
    ex3.backward();
    sgd.step();
    nag.step();
    if (s == 0) CHECK(ps3.at("p").value[0] == Approx(0.62).epsilon(1e-15));
  }
  CHECK(ps2.at("p").value[0] == Approx(0.46).epsilon(1e-15));
}

TEST_CASE("Adam in float32 matches the same formula in float32", "[optim]") {
  // One parameter larger than a parallel grain, with 1 and 2 threads.
  const std::int64_t n = 70000;
  Tensor<float> p0({n}), grad({n});
  Rng rng(11);
  for (auto& x : p0.data) x = static_cast<float>(rng.uniform(-1, 1));
  std::vector<std::vector<float>> finals;
  for (int threads : {1, 2}) {
    ParamStore<float> ps;
    auto& e = ps.add("x", p0);
    Adam<float> opt(ps, {.lr = 0.01, .weight_decay = 0.1, .threads = threads});
    CHECK(opt.threads() == threads);
    std::vector<float> p = p0.data, m(n, 0.f), v(n, 0.f);
    for (int t = 1; t <= 4; ++t) {
      for (std::int64_t i = 0; i < n; ++i) e.grad[i] = std::sin(static_cast<float>(i) * 0.001f + t) * e.value[i];
      std::vector<float> g = e.grad.data;
      opt.step();
      const double bc1 = 1 - std::pow(0.9, t), bc2 = 1 - std::pow(0.999, t);
      for (std::int64_t i = 0; i < n; ++i) {
        float d = g[i] + 0.1f * p[i];
        m[i] = 0.9f * m[i] + static_cast<float>(1 - 0.9) * d;
        v[i] = 0.999f * v[i] + static_cast<float>(1 - 0.999) * d * d;
        const float denom = std::sqrt(v[i]) / static_cast<float>(std::sqrt(bc2)) + 1e-8f;
        p[i] = p[i] - static_cast<float>(0.01 / bc1) * m[i] / denom;
      }
    }
    for (std::int64_t i = 0; i < n; i += 997) CHECK(e.value[i] == Approx(p[i]).epsilon(1e-5).margin(1e-6));
    finals.push_back(e.value.data);
  }
  CHECK(std::memcmp(finals[0].data(), finals[1].data(), sizeof(float) * n) == 0);
}

TEST_CASE("optimizer state round trip: continuing from imported state is bitwise the same", "[optim]") {
  auto run = [](auto make) {
    Quadratic q;
    ParamStore<float> ps;
    Rng rng(7);
    ps.init_from(q.g, rng);
    auto opt = make(ps);
    Executor<float> ex(*q.plan, ps);
    auto steps = [](auto& o, Executor<float>& e, int k) {
      for (int s = 0; s < k; ++s) {
        o->zero_grad();
        e.forward();
        e.backward();
        o->step();
      }
    };
    steps(opt, ex, 4);
    // Export, then build a second store and optimizer from the exported state.
    const auto tensors = opt->state_tensors();
    const auto scalars = opt->state_scalars();
    ParamStore<float> ps2;
    for (std::size_t i = 0; i < ps.size(); ++i) ps2.add(ps[i].name, ps[i].value);
    auto opt2 = make(ps2);
    opt2->set_lr(123);  // overwritten by the import
    opt2->load_state(tensors, scalars);
    CHECK(opt2->steps() == 4);
    CHECK(opt2->lr() == opt->lr());
    Executor<float> ex2(*q.plan, ps2);
    steps(opt, ex, 5);
    steps(opt2, ex2, 5);
    for (std::size_t i = 0; i < ps.size(); ++i) {
      INFO(ps[i].name);
      CHECK(std::memcmp(ps[i].value.ptr(), ps2[i].value.ptr(), sizeof(float) * ps[i].value.data.size()) == 0);
    }
    const auto a = opt->state_tensors(), b = opt2->state_tensors();
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      CHECK(a[k].first == b[k].first);
      CHECK(a[k].second.data == b[k].second.data);
    }
    CHECK(opt->state_scalars() == opt2->state_scalars());
  };
  SECTION("adam") {
    run([](ParamStore<float>& ps) { return std::make_unique<Adam<float>>(ps, AdamOptions{.lr = 0.02, .weight_decay = 0.01}); });
  }
  SECTION("sgd with nesterov momentum") {
    run([](ParamStore<float>& ps) {
      return std::make_unique<SGD<float>>(ps, SGDOptions{.lr = 0.01, .momentum = 0.9, .nesterov = true});
    });
  }
}

TEST_CASE("load_state names what is missing, mismatched or unexpected", "[optim]") {
  ParamStore<float> ps;
  ps.add("W", Tensor<float>({2, 3}));
  ps.add("b", Tensor<float>({3}));
  Adam<float> opt(ps);
  const auto good_t = opt.state_tensors();
  const auto good_s = opt.state_scalars();
  REQUIRE(good_t.size() == 4);
  REQUIRE(good_s.size() == 2);
  CHECK_NOTHROW(opt.load_state(good_t, good_s));

  auto expect_error = [&](const Optimizer<float>::TensorState& t, const Optimizer<float>::ScalarState& s,
                          std::vector<std::string> phrases) {
    ParamStore<float> fresh;
    fresh.add("W", Tensor<float>({2, 3}));
    fresh.add("b", Tensor<float>({3}));
    Adam<float> o(fresh, {.lr = 0.5});
    try {
      o.load_state(t, s);
      FAIL("load_state accepted bad state");
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      INFO(msg);
      for (const auto& p : phrases) CHECK(msg.find(p) != std::string::npos);
    }
    CHECK(o.lr() == 0.5);  // untouched
    CHECK(o.steps() == 0);
  };
  {
    auto t = good_t;
    t.erase(t.begin() + 1);  // v/W
    expect_error(t, good_s, {"adam.load_state", "missing tensor 'v/W'"});
  }
  {
    auto t = good_t;
    t[2].second = Tensor<float>({4});  // m/b
    expect_error(t, good_s, {"tensor 'm/b' has shape [4] but parameter 'b' has shape [3]"});
  }
  {
    auto t = good_t;
    t.emplace_back("m/extra", Tensor<float>({1}));
    auto s = good_s;
    s.emplace_back("beta", 0.9);
    expect_error(t, s, {"2 problems", "unexpected tensor 'm/extra'", "unexpected scalar 'beta'"});
  }
  {
    auto s = good_s;
    s.erase(s.begin());
    expect_error(good_t, s, {"missing scalar 'step'"});
  }
  {
    auto s = good_s;
    s[0].second = -1.5;
    expect_error(good_t, s, {"'step' = -1.5"});
  }
  {
    // SGD momentum buffers are not Adam moments.
    ParamStore<float> p2;
    p2.add("W", Tensor<float>({2, 3}));
    p2.add("b", Tensor<float>({3}));
    SGD<float> sgd(p2, {.momentum = 0.9});
    expect_error(sgd.state_tensors(), sgd.state_scalars(), {"missing tensor 'm/W'", "unexpected tensor 'momentum/W'"});
  }
}

TEST_CASE("optimizer options are validated", "[optim]") {
  ParamStore<double> ps;
  ps.add("x", Tensor<double>({2}));
  auto says = [](auto&& make, const std::string& phrase) {
    try {
      make();
      FAIL("accepted invalid options");
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(phrase) != std::string::npos);
    }
  };
  says([&] { Adam<double> o(ps, {.lr = -1}); }, "learning rate -1");
  says([&] { Adam<double> o(ps, {.betas = {1.0, 0.999}}); }, "beta1 1");
  says([&] { Adam<double> o(ps, {.betas = {0.9, -0.1}}); }, "beta2 -0.1");
  says([&] { Adam<double> o(ps, {.eps = -1e-8}); }, "epsilon");
  says([&] { Adam<double> o(ps, {.weight_decay = -0.1}); }, "weight_decay");
  says([&] { SGD<double> o(ps, {.lr = -0.1}); }, "learning rate");
  says([&] { SGD<double> o(ps, {.momentum = -0.5}); }, "momentum -0.5");
  says([&] { SGD<double> o(ps, {.lr = 0.1, .nesterov = true}); }, "nesterov");
  says([&] { SGD<double> o(ps, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}); }, "dampening = 0");
  says([&] { Adam<double> o(ps); o.set_lr(-2); }, "learning rate -2");
  Adam<double> ok(ps);
  CHECK(ok.name() == "adam");
  CHECK(ok.lr() == 1e-3);
  CHECK(ok.options().betas.second == 0.999);
  CHECK(SGD<double>(ps).name() == "sgd");
}

TEST_CASE("an optimizer's parameter set is fixed once it has stepped", "[optim]") {
  ParamStore<double> ps;
  ps.add("x", Tensor<double>({2}, 1.0));
  Adam<double> opt(ps);
  ps.add("y", Tensor<double>({2}, 1.0));  // before the first step: fine
  opt.step();
  CHECK(opt.state_tensors().size() == 4);
  ps.add("z", Tensor<double>({1}));
  CHECK_THROWS_WITH(opt.step(), Catch::Matchers::Contains("'z'"));
}
