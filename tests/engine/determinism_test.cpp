// Training is bitwise the same on 1 and on 2 threads: loops split at fixed
// grains, reductions add fixed chunks in a fixed order, GEMMs split by shape.
// Sizes are chosen so that every one of those paths really splits: batch 256 x
// 300 features (76,800 elements > the elementwise grain), products of
// 256 x 300 x 128 (above the GEMM split threshold), a 128 x 300 weight for Adam.
#include <catch2/catch.hpp>

#include <cstring>

#include "engine/executor.hpp"
#include "engine/ops.hpp"
#include "engine/optim.hpp"

using namespace aeg;

namespace {

struct Run {
  std::vector<std::pair<std::string, std::vector<float>>> params, grads;
  Optimizer<float>::TensorState state;
  std::vector<float> losses;
};

Run train(int threads) {
  constexpr std::int64_t B = 256, F = 300, H = 128;
  Graph g;
  Var x = g.input("x", {B, F});
  Var noisy = gaussian_noise(x, 0.1);
  Var h = sigmoid(linear(noisy, g.param("W_e", {H, F}, Init::glorot_uniform()), g.param("b_e", {H}, Init::zeros())));
  Var y = sigmoid(linear(h, g.param("W_d", {F, H}, Init::glorot_uniform()), g.param("b_d", {F}, Init::zeros())));
  Var loss = bce(y, x) + 0.01 * sum(h);
  const Plan plan = compile(g, {loss});
  ParamStore<float> ps;
  Rng rng(42);
  ps.init_from(g, rng);
  Executor<float> ex(plan, ps, {.threads = threads, .seed = 9});
  REQUIRE(ex.threads() == threads);
  Adam<float> opt(ps, {.lr = 1e-3, .weight_decay = 1e-4, .threads = threads});

  Rng data(3);
  std::vector<Tensor<float>> batches(4, Tensor<float>({B, F}));
  for (auto& t : batches)
    for (auto& v : t.data) v = static_cast<float>(data.uniform());
  Run r;
  for (int s = 0; s < 50; ++s) {
    ex.set_input(x, batches[static_cast<std::size_t>(s) % batches.size()]);
    opt.zero_grad();
    ex.forward();
    r.losses.push_back(ex.scalar(loss));
    ex.backward();
    opt.step();
  }
  for (std::size_t i = 0; i < ps.size(); ++i) {
    r.params.emplace_back(ps[i].name, ps[i].value.data);
    r.grads.emplace_back(ps[i].name, ps[i].grad.data);
  }
  r.state = opt.state_tensors();
  return r;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("50 training steps on 1 and 2 threads give the same bits", "[determinism]") {
  const Run one = train(1);
  const Run two = train(2);
  REQUIRE(one.losses.size() == 50);
  CHECK(one.losses.back() < one.losses.front());  // it trains
  CHECK(same_bits(one.losses, two.losses));
  REQUIRE(one.params.size() == two.params.size());
  for (std::size_t i = 0; i < one.params.size(); ++i) {
    INFO(one.params[i].first);
    CHECK(same_bits(one.params[i].second, two.params[i].second));
    CHECK(same_bits(one.grads[i].second, two.grads[i].second));
  }
  REQUIRE(one.state.size() == two.state.size());
  for (std::size_t i = 0; i < one.state.size(); ++i) {
    INFO(one.state[i].first);
    CHECK(one.state[i].first == two.state[i].first);
    CHECK(same_bits(one.state[i].second.data, two.state[i].second.data));
  }
}
