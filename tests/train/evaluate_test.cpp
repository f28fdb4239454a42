// The test-set figures of train::evaluate on a model whose parameters are set by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>

#include "engine/param_store.hpp"
#include "engine/rng.hpp"
#include "io/batch_reader.hpp"
#include "io/dataset.hpp"
#include "train/evaluate.hpp"
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
  const train::Metrics out = train::evaluate(spec, ps, x.data(), {}, 7, {.batch = 4, .threads = 1});
  CHECK(out.dead_code == 3);
  const auto j = nlohmann::json::parse(train::to_json(out).dump());
  CHECK(j.at("dead_code_units") == 3);
  CHECK(j.at("samples") == 7);
  CHECK(j.at("loss").get<double>() == out.loss);  // all the digits: a double's JSON text reads back exactly
  CHECK(j.at("mean_code").get<double>() == out.mean_code);
  CHECK(!j.contains("kl"));  // not a variational model
  b.data[2] = 0.0f;
  CHECK(train::evaluate(spec, ps, x.data(), {}, 7, {.batch = 4, .threads = 1}).dead_code == 2);
}

TEST_CASE("ae-eval reports the code's ||J||_F^2 for a model trained without the penalty", "[apps]") {
  zoo::ModelSpec off = zoo::recipe("contractive");
  off.features = 6;
  off.image_shape.clear();
  off.code = 4;
  off.contractive = 0;
  zoo::ModelSpec on = off;
  on.contractive = 0.1;
  ParamStore<float> ps;
  Rng rng(2);
  ps.init_from(zoo::build(on, 4)->graph, rng);
  std::vector<float> x(9 * 6);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) / 7.0f;
  auto figure = [](const train::Metrics& m) {
    for (const auto& [name, v] : m.penalties)
      if (name == "contractive") return v;
    return -1.0;
  };
  const train::Metrics plain = train::evaluate(off, ps, x.data(), {}, 9, {.batch = 4, .threads = 1});
  const train::Metrics with = train::evaluate(off, ps, x.data(), {}, 9, {.batch = 4, .threads = 1, .jacobian = true});
  const train::Metrics trained = train::evaluate(on, ps, x.data(), {}, 9, {.batch = 4, .threads = 1});
  CHECK(figure(plain) == -1.0);
  CHECK(figure(with) > 0);
  CHECK(figure(with) == figure(trained));  // the same term the penalty adds
  CHECK(with.loss == plain.loss);          // reported, not added to the loss
  CHECK(trained.loss > plain.loss);
  zoo::ModelSpec deep = off;
  deep.hidden = {5};
  CHECK_THROWS_WITH(train::evaluate(deep, ps, x.data(), {}, 9, {.batch = 4, .threads = 1, .jacobian = true}),
                    Catch::Contains("one-layer"));
}

TEST_CASE("ae-eval's JSON stays JSON when a figure is not finite", "[apps]") {
  train::Metrics m;
  m.samples = 3;
  m.loss = std::numeric_limits<double>::quiet_NaN();
  m.recon = std::numeric_limits<double>::infinity();
  m.bce = true;
  m.bce_px = 0.25;
  const auto j = nlohmann::json::parse(train::to_json(m).dump());  // "nan" would not parse
  CHECK(j.at("loss").is_null());
  CHECK(j.at("recon").is_null());
  CHECK(j.at("bce_px") == 0.25);
  CHECK(j.at("samples") == 3);
}

TEST_CASE("evaluating a split streamed from its file gives the bits of evaluating it in memory", "[apps][reader]") {
  // A file of 1,003 rows of 12 values in 7-row chunks; a budget far below the split forces streaming.
  const auto dir = std::filesystem::temp_directory_path() / ("aeg_eval_stream_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "d.h5").string();
  io::DatasetFormat fmt;
  fmt.sample_shape = {12};
  fmt.labels = true;
  fmt.chunk_rows = 7;
  io::SplitData train;
  Rng data(4);
  for (int i = 0; i < 1003 * 12; ++i) train.u8.push_back(static_cast<std::uint8_t>(data.below(256)));
  for (int i = 0; i < 1003; ++i) train.labels.push_back(i % 3);
  io::write_dataset(path, fmt, train);

  zoo::ModelSpec spec = zoo::recipe("vae");  // sampling and a KL term: the noise must line up batch by batch too
  spec.features = 12;
  spec.image_shape.clear();
  spec.hidden = {8};
  spec.code = 3;
  const auto m = zoo::build(spec, 4);
  ParamStore<float> ps;
  Rng rng(2);
  ps.init_from(m->graph, rng);
  const io::SplitArrays all = io::load_split(path, "train");
  const train::EvalOptions o{.batch = 100, .threads = 2, .seed = 5};
  std::vector<float> recon;
  const train::Metrics in_memory = train::evaluate(spec, ps, all.x.ptr(), all.y, 1003, o, &recon);
  io::BatchReader reader(path, "train", 100, {.shuffle = false, .memory = 500});
  REQUIRE_FALSE(reader.plan().in_memory);
  std::vector<float> streamed_recon;
  std::vector<std::int32_t> labels;
  const train::Metrics streamed = train::evaluate(spec, ps, reader, o, [&](const io::Batch& b, const float* y) {
    streamed_recon.insert(streamed_recon.end(), y, y + b.rows * 12);
    labels.insert(labels.end(), b.y.begin(), b.y.end());
  });
  CHECK(streamed.samples == 1003);
  CHECK(streamed.loss == in_memory.loss);  // bitwise: the same batches, rows and noise
  CHECK(streamed.kl == in_memory.kl);
  CHECK(streamed.mse_px == in_memory.mse_px);
  CHECK(streamed_recon == recon);
  CHECK(labels == all.y);
  std::filesystem::remove_all(dir);
}
