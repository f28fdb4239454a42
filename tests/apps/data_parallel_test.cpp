// The data-parallel step of train/data_parallel.hpp in one process (Solo ranks);
// the same steps over MPI ranks are compared bit for bit by tests/mpi/.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "engine/executor.hpp"
#include "engine/param_store.hpp"
#include "engine/rng.hpp"
#include "train/data_parallel.hpp"
#include "zoo/model.hpp"

using namespace aeg;
using namespace aeg::train;

TEST_CASE("block_layout is a function of the batch alone, with blocks of at least 64 rows", "[apps][parallel]") {
  CHECK(block_layout(256).blocks == 4);
  CHECK(block_layout(1024).blocks == 8);
  CHECK(block_layout(768).blocks == 12);
  CHECK(block_layout(100).blocks == 1);
  CHECK(block_layout(192, 12).rows == 16);
  CHECK_THROWS_WITH(block_layout(100, 3), Catch::Contains("--grad-blocks 3 does not divide --batch 100"));
}

TEST_CASE("data-parallel training refuses the KL sparsity penalty and more ranks than blocks", "[apps][parallel]") {
  CHECK_THROWS_WITH(make_data_parallel(nullptr, 2, 256, 1, ModelDef::zoo(zoo::recipe("sparse-kl"))),
                    Catch::Contains("couples the rows of a batch"));
  CHECK(make_data_parallel(nullptr, 0, 256, 1, ModelDef::zoo(zoo::recipe("undercomplete"))) == nullptr);
  CHECK(make_data_parallel(nullptr, 4, 256, 1, ModelDef::zoo(zoo::recipe("undercomplete")))->rows() == 256);
}

// One block is the whole batch through one graph: the data-parallel step must
// give exactly the plain step's gradient and loss.
TEST_CASE("a data-parallel step over one block gives the plain step's bits", "[apps][parallel]") {
  zoo::ModelSpec spec = zoo::recipe("deep");
  const std::int64_t batch = 32;
  const auto model = zoo::build(spec, batch);
  ParamStore<float> params;
  Rng init(3);
  params.init_from(model->graph, init);
  Executor<float> ex(compile(model->graph, {model->loss}), params, {.threads = 2});
  io::Batch b;
  b.rows = batch;
  b.x.resize(static_cast<std::size_t>(batch * spec.features));
  Rng data(4);
  for (float& v : b.x) v = static_cast<float>(data.uniform());

  ex.bind_input(model->x, b.x);
  params.zero_grad();
  ex.forward();
  const double plain_loss = ex.scalar(model->loss);
  ex.backward();
  std::vector<std::vector<float>> plain;
  for (std::size_t p = 0; p < params.size(); ++p) plain.push_back(params[p].grad.data);

  DataParallel dp(nullptr, block_layout(batch, 1), 1);
  const double loss = dp.gradients(ex, *model, params, b, 0);
  CHECK(std::memcmp(&loss, &plain_loss, sizeof loss) == 0);
  for (std::size_t p = 0; p < params.size(); ++p) CHECK(params[p].grad.data == plain[p]);
}

// Four blocks: the gradient is the blocks' tree sum / 4, which differs from the
// plain step only in rounding.
TEST_CASE("a data-parallel step over four blocks is the batch's gradient, to rounding", "[apps][parallel]") {
  zoo::ModelSpec spec = zoo::recipe("undercomplete");
  const std::int64_t batch = 64;
  const auto whole = zoo::build(spec, batch), block = zoo::build(spec, batch / 4);
  ParamStore<float> params;
  Rng init(3);
  params.init_from(whole->graph, init);
  Executor<float> ex(compile(whole->graph, {whole->loss}), params, {.threads = 1});
  Executor<float> bx(compile(block->graph, {block->loss}), params, {.threads = 1});
  io::Batch b;
  b.rows = batch;
  b.x.resize(static_cast<std::size_t>(batch * spec.features));
  Rng data(4);
  for (float& v : b.x) v = static_cast<float>(data.uniform());
  ex.bind_input(whole->x, b.x);
  params.zero_grad();
  ex.forward();
  const double plain_loss = ex.scalar(whole->loss);
  ex.backward();
  const std::vector<float> plain = params.at("enc0/W").grad.data;

  DataParallel dp(nullptr, block_layout(batch, 4), 1);
  CHECK(dp.gradients(bx, *block, params, b, 0) == Approx(plain_loss).epsilon(1e-6));
  const std::vector<float>& g = params.at("enc0/W").grad.data;
  for (std::size_t i = 0; i < g.size(); i += 97) CHECK(g[i] == Approx(plain[i]).margin(1e-6).epsilon(1e-4));
}
