// Gradient checks of whole small models in double precision, and the memory
// planner's promise: reusing buffers changes no gradient bit.
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>

#include "engine/executor.hpp"
#include "engine/gradcheck.hpp"
#include "engine/ops.hpp"

using namespace aeg;

namespace {

constexpr std::int64_t B = 4, F = 6;

// W used twice: h = sigmoid(x W^T + b_e), x_hat = sigmoid(h W + b_d), bce.
struct TiedAE {
  Graph g;
  Var x, loss;
  TiedAE() {
    x = g.input("x", {B, F});
    Var W = g.param("W", {3, F}, Init::glorot_uniform());
    Var h = sigmoid(linear(x, W, g.param("b_e", {3}, Init::uniform(-0.1, 0.1)))).named("h");
    Var y = sigmoid(matmul(h, W) + g.param("b_d", {F}, Init::uniform(-0.1, 0.1))).named("x_hat");
    loss = bce(y, x).named("loss");
  }
};

// Encoder -> (mu, logvar) -> reparameterize -> decoder; bce + gaussian_kl.
struct VAE {
  Graph g;
  Var x, loss;
  VAE() {
    x = g.input("x", {B, F});
    Var h = tanh(linear(x, g.param("W1", {5, F}, Init::glorot_uniform()), g.param("b1", {5}, Init::uniform(-0.1, 0.1))));
    Var mu = linear(h, g.param("Wm", {2, 5}, Init::glorot_uniform()), g.param("bm", {2}, Init::uniform(-0.1, 0.1)));
    Var logvar = linear(h, g.param("Wv", {2, 5}, Init::glorot_uniform()), g.param("bv", {2}, Init::uniform(-0.1, 0.1)));
    Var z = reparameterize(mu, logvar).named("z");
    Var d = tanh(linear(z, g.param("W2", {5, 2}, Init::glorot_uniform()), g.param("b2", {5}, Init::uniform(-0.1, 0.1))));
    Var y = sigmoid(linear(d, g.param("W3", {F, 5}, Init::glorot_uniform()), g.param("b3", {F}, Init::uniform(-0.1, 0.1))));
    loss = (bce(y, x) + gaussian_kl(mu, logvar)).named("loss");
  }
};

Tensor<double> data(std::uint64_t seed) {
  Rng r(seed);
  Tensor<double> t({B, F});
  for (auto& v : t.data) v = r.uniform(0.05, 0.95);
  return t;
}

template <class Model>
void check_model(std::uint64_t seed) {
  Model m;
  ParamStore<double> ps;
  Rng rng(seed);
  ps.init_from(m.g, rng);
  GradcheckOptions o;
  o.seed = seed;
  const GradcheckReport r = gradcheck(m.g, m.loss, {{m.x, data(seed)}}, ps, o);
  INFO(r.message());
  CHECK(r.ok);
  CHECK(r.checked == ps.count());
}

// Parameter gradients of one forward/backward with the given memory policy.
template <class Model, class T>
std::vector<std::vector<T>> grads_with(bool reuse, int threads) {
  Model m;
  const Plan plan = compile(m.g, {m.loss}, {.reuse_memory = reuse});
  ParamStore<T> ps;
  Rng rng(5);
  ps.init_from(m.g, rng);
  Executor<T> ex(plan, ps, {.threads = threads, .seed = 77});
  ex.set_input(m.x, tensor_cast<T>(data(5)));
  std::vector<std::vector<T>> r;
  for (int rep = 0; rep < 2; ++rep) {  // twice: the second run starts from dirty buffers
    ps.zero_grad();
    ex.forward();
    ex.backward();
    if (rep == 0) {
      // Scribble over values the plan no longer needs, as a later batch would.
      ex.set_input(m.x, tensor_cast<T>(data(6)));
      ex.forward();
      ex.backward();
      ex.set_input(m.x, tensor_cast<T>(data(5)));
      ex.rng().set_state(Rng(77).state());
    }
  }
  for (std::size_t i = 0; i < ps.size(); ++i) r.push_back(ps[i].grad.data);
  r.push_back({ex.scalar(m.loss)});
  return r;
}

template <class Model, class T>
void check_reuse() {
  const auto a = grads_with<Model, T>(true, 1);
  const auto b = grads_with<Model, T>(false, 1);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("parameter " << i);
    CHECK(a[i].size() == b[i].size());
    CHECK(std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(T)) == 0);
  }
}

}  // namespace

TEST_CASE("gradcheck of a tied-weights autoencoder (W used twice)", "[model_gradcheck]") {
  for (std::uint64_t seed : {1, 2, 3}) check_model<TiedAE>(seed);
}

TEST_CASE("gradcheck of a small VAE with its noise replayed", "[model_gradcheck]") {
  for (std::uint64_t seed : {1, 2, 3}) check_model<VAE>(seed);
}

TEST_CASE("the tied weight's gradient is the sum of its two uses", "[model_gradcheck]") {
  // Untie by hand: the same numbers in W_enc and W_dec give gradients that add up to W's.
  TiedAE tied;
  Graph g;
  Var x = g.input("x", {B, F});
  Var We = g.param("W_enc", {3, F}, Init::zeros()), Wd = g.param("W_dec", {3, F}, Init::zeros());
  Var h = sigmoid(linear(x, We, g.param("b_e", {3}, Init::zeros())));
  Var loss = bce(sigmoid(matmul(h, Wd) + g.param("b_d", {F}, Init::zeros())), x);
  ParamStore<double> pt, pu;
  Rng rng(9);
  pt.init_from(tied.g, rng);
  pu.add("W_enc", pt.at("W").value);
  pu.add("W_dec", pt.at("W").value);
  pu.add("b_e", pt.at("b_e").value);
  pu.add("b_d", pt.at("b_d").value);
  const Plan p1 = compile(tied.g, {tied.loss}), p2 = compile(g, {loss});
  Executor<double> e1(p1, pt), e2(p2, pu);
  e1.set_input(tied.x, data(4));
  e2.set_input(x, data(4));
  e1.forward();
  e1.backward();
  e2.forward();
  e2.backward();
  for (std::int64_t i = 0; i < 3 * F; ++i)
    CHECK(pt.at("W").grad[i] == Approx(pu.at("W_enc").grad[i] + pu.at("W_dec").grad[i]).epsilon(1e-12));
}

TEST_CASE("memory reuse changes no gradient bit", "[model_gradcheck][memory]") {
  SECTION("tied autoencoder, double") { check_reuse<TiedAE, double>(); }
  SECTION("tied autoencoder, float") { check_reuse<TiedAE, float>(); }
  SECTION("VAE, double") { check_reuse<VAE, double>(); }
  SECTION("VAE, float") { check_reuse<VAE, float>(); }
}
