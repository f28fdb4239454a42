// The zoo's models train to the same bits on any number of threads: every split
// of work (GEMM tiles, conv batch blocks, loop grains, reduction chunks) is a
// function of the shapes alone. A dense, a conv and a variational recipe, each
// at sizes where the GEMMs cut into several tiles and the convs into several
// batch blocks, trained on 1, 2, 3, 4, 7 and 16 threads (a TBB arena of 16 runs
// on any machine). The losses, parameters, gradients and Adam's state must agree
// to the bit.
#include <catch2/catch.hpp>

#include <cstring>

#include "engine/executor.hpp"
#include "engine/kernels/gemm.hpp"
#include "engine/optim.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/model.hpp"

using namespace aeg;

namespace {

struct Trained {
  std::vector<float> losses;
  std::vector<std::pair<std::string, std::vector<float>>> values;  // parameters, gradients, Adam state
};

Trained train(const zoo::ModelSpec& spec, std::int64_t batch, int threads, int steps) {
  auto m = zoo::build(spec, batch);
  const Plan plan = compile(m->graph, {m->loss});
  ParamStore<float> ps;
  Rng rng(11);
  ps.init_from(m->graph, rng);
  Executor<float> ex(plan, ps, {.threads = threads, .seed = 4});
  Adam<float> opt(ps, zoo::adam_options(m->spec, 1e-3, threads));
  const std::int64_t f = m->spec.features;
  Rng data(5);
  std::vector<float> x(static_cast<std::size_t>(2 * batch * f));
  for (float& v : x) v = static_cast<float>(data.uniform());
  Trained t;
  for (int s = 0; s < steps; ++s) {
    std::memcpy(ex.input_data(m->x), x.data() + (s % 2) * batch * f, sizeof(float) * static_cast<std::size_t>(batch * f));
    opt.zero_grad();
    ex.forward();
    t.losses.push_back(ex.scalar(m->loss));
    ex.backward();
    opt.step();
  }
  for (std::size_t i = 0; i < ps.size(); ++i) {
    t.values.emplace_back(ps[i].name + " value", ps[i].value.data);
    t.values.emplace_back(ps[i].name + " grad", ps[i].grad.data);
  }
  for (auto& [name, state] : opt.state_tensors()) t.values.emplace_back(name, state.data);
  return t;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_thread_counts(const zoo::ModelSpec& spec, std::int64_t batch, int steps) {
  const Trained one = train(spec, batch, 1, steps);
  REQUIRE(one.losses.size() == static_cast<std::size_t>(steps));
  CHECK(one.losses.back() < one.losses.front());  // it trains
  for (int threads : {2, 3, 4, 7, 16}) {
    INFO(spec.recipe << " on " << threads << " threads");
    const Trained other = train(spec, batch, threads, steps);
    CHECK(same_bits(one.losses, other.losses));
    REQUIRE(one.values.size() == other.values.size());
    for (std::size_t i = 0; i < one.values.size(); ++i) {
      INFO(one.values[i].first);
      CHECK(one.values[i].first == other.values[i].first);
      CHECK(same_bits(one.values[i].second, other.values[i].second));
    }
  }
}

}  // namespace

TEST_CASE("a deep dense model trains to the same bits on 1, 2, 3, 4, 7 and 16 threads", "[determinism][zoo]") {
  zoo::ModelSpec s = zoo::recipe("deep");
  s.hidden = {256, 128};
  // The first layer's products (64 x 256 x 784) are cut into several GEMM tiles.
  REQUIRE(gemm_tiles(64, 256, 784).count() > 1);
  REQUIRE(gemm_tiles(256, 784, 64).count() > 1);
  check_thread_counts(s, 64, 12);
}

TEST_CASE("a conv model trains to the same bits on 1, 2, 3, 4, 7 and 16 threads", "[determinism][zoo]") {
  // Batch 24: the convs cut it into 16 blocks of one or two samples.
  check_thread_counts(zoo::recipe("conv"), 24, 6);
}

TEST_CASE("a VAE trains to the same bits on 1, 2, 3, 4, 7 and 16 threads", "[determinism][zoo]") {
  check_thread_counts(zoo::recipe("vae"), 64, 12);
}
