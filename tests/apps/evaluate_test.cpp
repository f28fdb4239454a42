// The test-set figures of apps::evaluate on a model whose parameters are set by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "apps/common/evaluate.hpp"
#include "engine/param_store.hpp"
#include "engine/rng.hpp"
#include "zoo/model.hpp"

using namespace aeg;

TEST_CASE("ae-eval counts the code units that are zero on every sample", "[apps]") {
  zoo::ModelSpec spec = zoo::recipe("undercomplete");
  spec.features = 6;
  spec.image_shape.clear();
  spec.code = 5;
  const auto m = zoo::build(spec, 4);
  ParamStore<float> ps;
  Rng rng(1);
  ps.init_from(m->graph, rng);
  // Code unit j = relu(sum(x) * w_j + b_j) on x in [0.1, 0.9]: units 1 and 3 can never be positive.
  auto& W = ps.at("enc0/W").value;
  auto& b = ps.at("enc0/b").value;
  REQUIRE(W.shape == Shape{5, 6});
  std::fill(W.data.begin(), W.data.end(), 0.5f);
  std::fill(b.data.begin(), b.data.end(), 0.0f);
  for (std::int64_t i = 0; i < 6; ++i) W.data[static_cast<std::size_t>(6 + i)] = W.data[static_cast<std::size_t>(18 + i)] = -1.0f;
  b.data[2] = -100.0f;  // unit 2 too: its bias outweighs any input
  std::vector<float> x(7 * 6);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1f + 0.8f * static_cast<float>(i % 5) / 4.0f;
  const apps::Metrics out = apps::evaluate(spec, ps, x.data(), {}, 7, {.batch = 4, .threads = 1});
  CHECK(out.dead_code == 3);
  CHECK_THAT(apps::to_json(out), Catch::Contains("\"dead_code_units\": 3"));
  b.data[2] = 0.0f;
  CHECK(apps::evaluate(spec, ps, x.data(), {}, 7, {.batch = 4, .threads = 1}).dead_code == 2);
}
