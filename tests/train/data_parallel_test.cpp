// The data-parallel step of train/data_parallel.hpp in one process (Solo ranks,
// and 1-4 ranks as threads exchanging through memory); the same steps over MPI
// ranks are compared bit for bit by tests/mpi/.
#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "engine/executor.hpp"
#include "engine/param_store.hpp"
#include "engine/rng.hpp"
#include "io/batch_reader.hpp"
#include "io/checkpoint.hpp"
#include "tests/apps/support.hpp"
#include "train/data_parallel.hpp"
#include "train/trainer.hpp"
#include "zoo/model.hpp"

using namespace aeg;
using namespace aeg::train;

namespace {

// Ranks as threads of one process: each collective publishes every rank's
// buffer, waits for all, copies its share, and waits again.
struct Hub {
  explicit Hub(int n) : sync(n), data(static_cast<std::size_t>(n)), counts(static_cast<std::size_t>(n)) {}
  std::barrier<> sync;
  std::vector<const void*> data;
  std::vector<const std::vector<int>*> counts;
  std::atomic<bool> bad{false};  // a count that does not match (checked after the threads)
};

class ThreadRanks final : public Ranks {
 public:
  ThreadRanks(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(hub_.data.size()); }
  void all_gather(std::span<const float> mine, std::span<float> all, const std::vector<int>& counts) override {
    gather(mine, all, counts);
  }
  void all_gather(std::span<const double> mine, std::span<double> all, const std::vector<int>& counts) override {
    gather(mine, all, counts);
  }
  void all_to_all(std::span<const float> send, const std::vector<int>& send_counts, std::span<float> recv,
                  const std::vector<int>& recv_counts) override {
    publish(send.data(), &send_counts);
    std::size_t at = 0;
    for (int k = 0; k < size(); ++k) {
      const std::vector<int>& theirs = *hub_.counts[static_cast<std::size_t>(k)];
      std::size_t from = 0;
      for (int j = 0; j < rank_; ++j) from += static_cast<std::size_t>(theirs[static_cast<std::size_t>(j)]);
      const auto n = static_cast<std::size_t>(theirs[static_cast<std::size_t>(rank_)]);
      if (n != static_cast<std::size_t>(recv_counts[static_cast<std::size_t>(k)]) || at + n > recv.size()) hub_.bad = true;
      else std::memcpy(recv.data() + at, static_cast<const float*>(hub_.data[static_cast<std::size_t>(k)]) + from, n * sizeof(float));
      at += n;
    }
    if (at != recv.size()) hub_.bad = true;
    hub_.sync.arrive_and_wait();
  }
  void barrier() override { hub_.sync.arrive_and_wait(); }

 private:
  void publish(const void* p, const std::vector<int>* counts) {
    hub_.data[static_cast<std::size_t>(rank_)] = p;
    hub_.counts[static_cast<std::size_t>(rank_)] = counts;
    hub_.sync.arrive_and_wait();
  }
  template <class T>
  void gather(std::span<const T> mine, std::span<T> all, const std::vector<int>& counts) {
    if (mine.size() != static_cast<std::size_t>(counts[static_cast<std::size_t>(rank_)])) hub_.bad = true;
    publish(mine.data(), &counts);
    std::size_t at = 0;
    for (int k = 0; k < size(); ++k) {
      const auto n = static_cast<std::size_t>(counts[static_cast<std::size_t>(k)]);
      if (at + n > all.size()) hub_.bad = true;
      else std::memcpy(all.data() + at, static_cast<const T*>(hub_.data[static_cast<std::size_t>(k)]), n * sizeof(T));
      at += n;
    }
    if (at != all.size()) hub_.bad = true;
    hub_.sync.arrive_and_wait();
  }
  Hub& hub_;
  int rank_;
};

// A rank's steps: a full batch (step 0), then an epoch's last batch of `tail`
// rows (step 1), each leaving the batch's gradient; every value and loss kept.
struct Steps {
  std::vector<double> losses;
  std::vector<float> grads;
  std::string rng;  // the block graph's generator after the last step
};

std::vector<float> random_rows(std::int64_t rows, std::int64_t features, std::uint64_t seed) {
  std::vector<float> x(static_cast<std::size_t>(rows * features));
  Rng r(seed);
  for (float& v : x) v = static_cast<float>(r.uniform());
  return x;
}

// One plain step of the whole batch x through ex: the parameters' gradients, and the loss.
double plain_step(Executor<float>& ex, const zoo::Model& model, ParamStore<float>& params, const std::vector<float>& x) {
  ex.bind_input(model.x, x);
  params.zero_grad();
  ex.forward();
  const double loss = ex.scalar(model.loss);
  ex.backward();
  return loss;
}

Steps rank_steps(const zoo::ModelSpec& spec, Ranks* ranks, BlockLayout layout, std::int64_t tail) {
  const ModelDef def = ModelDef::zoo(spec);
  ParamStore<float> params;
  Rng init(3);
  const auto block = def.make(layout.rows, data_parallel_build());
  params.init_from(block->graph, init);
  Executor<float> ex(compile(block->graph, {block->loss}), params, {.threads = 1});
  std::unique_ptr<zoo::Model> small;
  std::unique_ptr<Executor<float>> small_ex;
  const auto graph = [&](std::int64_t rows) -> BlockGraph {
    if (rows == layout.rows) return {&ex, block.get()};
    if (!small || small->x.shape()[0] != rows) {
      small = def.make(rows, data_parallel_build());
      small_ex = std::make_unique<Executor<float>>(compile(small->graph, {small->loss}), params, ExecOptions{.threads = 1});
    }
    return {small_ex.get(), small.get()};
  };
  DataParallel dp(ranks, layout, 1);
  Steps out;
  std::int64_t step = 0;
  for (const std::int64_t rows : {layout.batch(), tail}) {
    const std::vector<float> x = random_rows(rows, spec.features, 10 + static_cast<std::uint64_t>(step));
    const auto [first, count] = dp.part(rows);
    io::Batch mine;
    mine.rows = count;
    mine.x.assign(x.begin() + first * spec.features, x.begin() + (first + count) * spec.features);
    for (std::int64_t r = first; r < first + count; ++r) mine.y.push_back(static_cast<std::int32_t>(r % spec.classes));
    out.losses.push_back(dp.gradients(graph, params, mine, rows, step++));
    for (std::size_t p = 0; p < params.size(); ++p)
      out.grads.insert(out.grads.end(), params[p].grad.data.begin(), params[p].grad.data.end());
  }
  out.rng = ex.rng().state();
  return out;
}

// Every rank's steps with n ranks as threads.
std::vector<Steps> threaded_steps(const zoo::ModelSpec& spec, int n, BlockLayout layout, std::int64_t tail, bool& bad) {
  Hub hub(n);
  std::vector<Steps> out(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int r = 0; r < n; ++r)
    threads.emplace_back([&, r] {
      try {
        ThreadRanks ranks(hub, r);
        out[static_cast<std::size_t>(r)] = rank_steps(spec, &ranks, layout, tail);
      } catch (...) {
        failed = true;
      }
    });
  for (std::thread& t : threads) t.join();
  bad = hub.bad || failed;
  return out;
}

bool same_bits(const Steps& a, const Steps& b) {
  return a.rng == b.rng && a.losses.size() == b.losses.size() && a.grads.size() == b.grads.size() &&
         std::memcmp(a.losses.data(), b.losses.data(), a.losses.size() * sizeof(double)) == 0 &&
         std::memcmp(a.grads.data(), b.grads.data(), a.grads.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("block_layout is a function of the batch alone, with blocks of at least 64 rows", "[apps][parallel]") {
  CHECK(block_layout(256).blocks == 4);
  CHECK(block_layout(1024).blocks == 8);
  CHECK(block_layout(768).blocks == 12);
  CHECK(block_layout(100).blocks == 1);
  CHECK(block_layout(192, 12).rows == 16);
  CHECK_THROWS_WITH(block_layout(100, 3), Catch::Contains("--grad-blocks 3 does not divide --batch 100"));
}

// A zoo sparse-kl model is built with the whole batch's mean as an input; a
// hand-built one that keeps the plain penalty (its block's own mean), or takes
// a given mean that is not its code_mean role, is refused.
TEST_CASE("data-parallel training takes sparse-kl, refuses a hand-built plain KL penalty and more ranks than blocks",
          "[apps][parallel][kl]") {
  const zoo::ModelSpec spec = zoo::recipe("sparse-kl", 64, {});
  CHECK(make_data_parallel(nullptr, 2, 256, 1, ModelDef::zoo(spec))->layout().blocks == 2);
  CHECK(zoo::build(spec, 8, data_parallel_build())->code_mean.valid());
  CHECK_FALSE(zoo::build(spec, 8)->code_mean.valid());
  const ModelDef plain = ModelDef::hand_built("plain-kl", spec, [spec](std::int64_t b, const zoo::BuildOptions&) {
    return zoo::build(spec, b);
  });
  CHECK_THROWS_WITH(make_data_parallel(nullptr, 2, 256, 1, plain),
                    Catch::Contains("couples the rows of a batch") && Catch::Contains("code_mean"));
  const ModelDef unnamed = ModelDef::hand_built("unnamed-mean", spec, [spec](std::int64_t b, const zoo::BuildOptions& o) {
    auto m = zoo::build(spec, b, o);
    m->code_mean = {};  // the role not set
    return m;
  });
  CHECK_THROWS_WITH(make_data_parallel(nullptr, 2, 256, 1, unnamed), Catch::Contains("the model's roles code and code_mean"));
  CHECK(make_data_parallel(nullptr, 0, 256, 1, ModelDef::zoo(zoo::recipe("undercomplete"))) == nullptr);
  CHECK(make_data_parallel(nullptr, 4, 256, 1, ModelDef::zoo(zoo::recipe("undercomplete")))->rows() == 256);
}

// One block is the whole batch through one graph: the data-parallel step must
// give exactly the plain step's gradient and loss.
TEST_CASE("a data-parallel step over one block gives the plain step's bits", "[apps][parallel][kl]") {
  // A denoising sparse-kl model too: its mean code, taken ahead of the step by
  // the encoder alone with the block's noise, is the plain step's own, so the
  // penalty and its gradient are the plain op's bits.
  zoo::ModelSpec kl = zoo::recipe("sparse-kl", 64, {});
  kl.noise = zoo::Noise::Masking;
  kl.noise_level = 0.3;
  for (const zoo::ModelSpec& spec : {zoo::recipe("deep"), kl}) {
    INFO(spec.recipe);
    const std::int64_t batch = 32;
    const auto model = zoo::build(spec, batch), block = zoo::build(spec, batch, data_parallel_build());
    ParamStore<float> params;
    Rng init(3);
    params.init_from(model->graph, init);
    Executor<float> ex(compile(model->graph, {model->loss}), params, {.threads = 2});
    Executor<float> bx(compile(block->graph, {block->loss}), params, {.threads = 2});
    io::Batch b;
    b.rows = batch;
    b.x = random_rows(batch, spec.features, 4);

    ex.rng() = Rng(block_seed(1, 0, 0));  // the noise of block 0 at step 0
    const double plain_loss = plain_step(ex, *model, params, b.x);
    std::vector<std::vector<float>> plain;
    for (std::size_t p = 0; p < params.size(); ++p) plain.push_back(params[p].grad.data);

    DataParallel dp(nullptr, block_layout(batch, 1), 1);
    const double loss = dp.gradients(bx, *block, params, b, 0);
    CHECK(std::memcmp(&loss, &plain_loss, sizeof loss) == 0);
    for (std::size_t p = 0; p < params.size(); ++p) CHECK(params[p].grad.data == plain[p]);
  }
}

// sparse-kl over four blocks of rows that differ block by block (so that each
// block's own mean code would be far from the batch's): the whole batch's
// gradient to rounding, for a full batch and for a last batch of uneven blocks.
TEST_CASE("a sparse-kl step over four blocks is the batch's gradient, to rounding", "[apps][parallel][kl]") {
  const zoo::ModelSpec spec = zoo::recipe("sparse-kl", 64, {});
  for (const std::int64_t rows : {256, 232}) {
    INFO(rows << " rows");
    const auto whole = zoo::build(spec, rows), block = zoo::build(spec, 64, data_parallel_build()),
               last = zoo::build(spec, 40, data_parallel_build());
    ParamStore<float> params;
    Rng init(3);
    params.init_from(whole->graph, init);
    Executor<float> ex(compile(whole->graph, {whole->loss}), params, {.threads = 1});
    Executor<float> bx(compile(block->graph, {block->loss}), params, {.threads = 1});
    Executor<float> lx(compile(last->graph, {last->loss}), params, {.threads = 1});
    io::Batch b;
    b.rows = rows;
    b.x = random_rows(rows, spec.features, 4);
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t f = 0; f < spec.features; ++f)
        b.x[static_cast<std::size_t>(r * spec.features + f)] *= 0.25f * static_cast<float>(1 + r / 64);
    const double plain_loss = plain_step(ex, *whole, params, b.x);
    const std::vector<float> plain_w = params.at("enc0/W").grad.data, plain_b = params.at("enc0/b").grad.data;

    DataParallel dp(nullptr, block_layout(256), 1);
    REQUIRE(dp.layout().blocks == 4);
    const double loss = dp.gradients(
        [&](std::int64_t r) -> BlockGraph { return r == 64 ? BlockGraph{&bx, block.get()} : BlockGraph{&lx, last.get()}; },
        params, b, rows, 0);
    CHECK(loss == Approx(plain_loss).epsilon(1e-6));
    const std::vector<float>& gw = params.at("enc0/W").grad.data;
    for (std::size_t i = 0; i < gw.size(); i += 13) CHECK(gw[i] == Approx(plain_w[i]).margin(1e-6).epsilon(1e-4));
    const std::vector<float>& gb = params.at("enc0/b").grad.data;
    for (std::size_t i = 0; i < gb.size(); ++i) CHECK(gb[i] == Approx(plain_b[i]).margin(1e-6).epsilon(1e-4));
  }
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
  b.x = random_rows(batch, spec.features, 4);
  const double plain_loss = plain_step(ex, *whole, params, b.x);
  const std::vector<float> plain = params.at("enc0/W").grad.data;

  DataParallel dp(nullptr, block_layout(batch, 4), 1);
  CHECK(dp.gradients(bx, *block, params, b, 0) == Approx(plain_loss).epsilon(1e-6));
  const std::vector<float>& g = params.at("enc0/W").grad.data;
  for (std::size_t i = 0; i < g.size(); i += 97) CHECK(g[i] == Approx(plain[i]).margin(1e-6).epsilon(1e-4));
}

TEST_CASE("data-parallel: an epoch's last batch is cut into blocks of the full batch's size, the last one smaller", "[apps][parallel]") {
  const BlockLayout t = tail_layout(block_layout(256), 232);
  CHECK(t.blocks == 4);
  CHECK(t.rows == 64);
  CHECK(t.last_rows == 40);
  CHECK(t.batch() == 232);
  CHECK(t.rows_of(2) == 64);
  CHECK(t.rows_of(3) == 40);
  CHECK(t.row(4) == 232);
  CHECK(tail_layout(block_layout(192, 12), 48).equal());  // 3 blocks of 16
  CHECK(tail_layout(block_layout(192, 12), 10).blocks == 1);
  CHECK_THROWS(tail_layout(block_layout(256), 256));
  // The ranks' parts of a batch cover it in rank order, some empty where the
  // tail has fewer blocks than there are ranks.
  for (const std::int64_t rows : {192, 10, 40, 100}) {
    for (int n = 1; n <= 4; ++n) {
      std::int64_t next = 0, empty = 0;
      for (int r = 0; r < n; ++r) {
        Hub h(n);
        ThreadRanks ranks(h, r);
        const DataParallel dp(&ranks, block_layout(192, 12), 1);
        const auto [first, count] = dp.part(rows);
        CHECK(first == next);
        next += count;
        empty += count == 0;
      }
      CHECK(next == rows);
      if (rows == 10) CHECK(empty == n - 1);
    }
  }
}

// The tail 232 of a batch of 256: blocks of 64, 64, 64 and 40, each weighted by
// its rows; the whole tail at once differs only in rounding (the plain mean of
// the blocks' means would be off by far more).
TEST_CASE("a data-parallel step over an uneven last batch is its gradient, to rounding", "[apps][parallel]") {
  zoo::ModelSpec spec = zoo::recipe("undercomplete");
  const std::int64_t tail = 232;
  const auto whole = zoo::build(spec, tail), block = zoo::build(spec, 64), last = zoo::build(spec, 40);
  ParamStore<float> params;
  Rng init(3);
  params.init_from(whole->graph, init);
  Executor<float> ex(compile(whole->graph, {whole->loss}), params, {.threads = 1});
  Executor<float> bx(compile(block->graph, {block->loss}), params, {.threads = 1});
  Executor<float> lx(compile(last->graph, {last->loss}), params, {.threads = 1});
  io::Batch b;
  b.rows = tail;
  b.x = random_rows(tail, spec.features, 4);
  // Rows that differ block by block, so that unweighted block means would show.
  for (std::int64_t r = 192; r < tail; ++r)
    for (std::int64_t f = 0; f < spec.features; ++f) b.x[static_cast<std::size_t>(r * spec.features + f)] *= 0.25f;
  const double plain_loss = plain_step(ex, *whole, params, b.x);
  const std::vector<float> plain = params.at("enc0/W").grad.data, plain_b = params.at("dec0/b").grad.data;

  DataParallel dp(nullptr, block_layout(256), 1);
  REQUIRE(dp.layout().blocks == 4);
  CHECK(dp.part(tail) == std::pair<std::int64_t, std::int64_t>(0, tail));
  const double loss = dp.gradients(
      [&](std::int64_t rows) -> BlockGraph { return rows == 64 ? BlockGraph{&bx, block.get()} : BlockGraph{&lx, last.get()}; },
      params, b, tail, 0);
  CHECK(loss == Approx(plain_loss).epsilon(1e-6));
  const std::vector<float>& g = params.at("enc0/W").grad.data;
  for (std::size_t i = 0; i < g.size(); i += 97) CHECK(g[i] == Approx(plain[i]).margin(1e-6).epsilon(1e-4));
  const std::vector<float>& gb = params.at("dec0/b").grad.data;
  for (std::size_t i = 0; i < gb.size(); i += 7) CHECK(gb[i] == Approx(plain_b[i]).margin(1e-6).epsilon(1e-4));
  // A rank's rows that do not match its part are refused.
  b.rows = 100;
  CHECK_THROWS_WITH(dp.gradients([&](std::int64_t) { return BlockGraph{&bx, block.get()}; }, params, b, tail, 1),
                    Catch::Contains("100 rows read, expected 232"));
}

// 1-4 ranks (threads exchanging through memory): a full batch and then a tail
// of one block (fewer blocks than ranks: some ranks own none), of three
// uneven blocks, and of blocks that divide it, the same bits on every rank and
// for every rank count, the generator left the same.
TEST_CASE("data-parallel steps over a full and a last batch are the same bits on 1-4 ranks", "[apps][parallel][kl]") {
  zoo::ModelSpec denoising_kl = zoo::recipe("sparse-kl", 64, {});
  denoising_kl.noise = zoo::Noise::Masking;
  denoising_kl.noise_level = 0.3;
  for (const zoo::ModelSpec& spec : {zoo::recipe("cvae", 64, {}), zoo::recipe("denoising", 64, {}), zoo::recipe("sparse-kl", 64, {}), denoising_kl}) {
    const std::string name = spec.recipe + (spec.noise != zoo::Noise::None && spec.kl_beta > 0 ? " with noise" : "");
    for (const std::int64_t tail : {10, 40, 48}) {
      INFO(name << ", tail " << tail);
      const BlockLayout layout = block_layout(192, 12);
      bool bad = false;
      const std::vector<Steps> one = threaded_steps(spec, 1, layout, tail, bad);
      REQUIRE_FALSE(bad);
      REQUIRE(one[0].losses.size() == 2);
      CHECK(std::isfinite(one[0].losses[1]));
      for (int n = 2; n <= 4; ++n) {
        INFO(n << " ranks");
        const std::vector<Steps> many = threaded_steps(spec, n, layout, tail, bad);
        REQUIRE_FALSE(bad);
        for (const Steps& s : many) CHECK(same_bits(s, one[0]));
      }
    }
  }
}

// The whole trainer with --grad-blocks on a split whose last batch does not
// divide into blocks (300 rows in batches of 64: a tail of 44, blocks of 16, 16
// and 12): every sample trains, on 1 or 2 threads and resumed, the same bits;
// --drop-last trains the full batches only. The same for one class's rows
// (picked by the trainer, not the reader).
TEST_CASE("data-parallel training (--grad-blocks) trains the last, smaller batch too, reproducibly", "[apps][parallel]") {
  test::TempDir dir;
  test::make_dataset(dir / "d.h5", 300, 48);
  const auto same = [](const io::Checkpoint& a, const io::Checkpoint& b) {
    if (a.params.size() != b.params.size() || a.step != b.step || a.rng_state != b.rng_state ||
        a.train_loss != b.train_loss || a.test_loss != b.test_loss || a.optimizer_state.size() != b.optimizer_state.size())
      return false;
    for (std::size_t i = 0; i < a.params.size(); ++i)
      if (a.params[i].second.data != b.params[i].second.data) return false;
    for (std::size_t i = 0; i < a.optimizer_state.size(); ++i)
      if (a.optimizer_state[i].second.data != b.optimizer_state[i].second.data) return false;
    return true;
  };
  for (const std::int32_t only : {-1, 1}) {
    INFO("only class " << only);
    TrainConfig c;
    c.data = dir / "d.h5";
    c.batch = 64;
    c.grad_blocks = 4;
    c.only_class = only;
    c.quiet = true;
    c.epochs = 2;
    c.threads = 1;
    c.out = dir / "a.h5";
    fit(zoo::recipe("denoising"), c);
    const io::Checkpoint a = io::load_checkpoint(dir / "a.h5");
    std::int64_t rows = 0;
    for (const std::int32_t y : io::load_split(dir / "d.h5", "train").y) rows += only < 0 || y == only;
    CHECK(a.step == 2 * ((rows + 63) / 64));
    REQUIRE(a.train_loss.size() == 2);
    CHECK(std::isfinite(a.train_loss[1]));

    c.threads = 2;
    c.epochs = 1;
    c.out = dir / "b.h5";
    fit(zoo::recipe("denoising"), c);
    c.threads = 1;
    c.epochs = 2;
    c.resume = true;
    fit(zoo::recipe("denoising"), c);
    CHECK(same(a, io::load_checkpoint(dir / "b.h5")));

    c.resume = false;
    c.drop_last = true;
    c.out = dir / "d.h5.out";
    fit(zoo::recipe("denoising"), c);
    const io::Checkpoint d = io::load_checkpoint(dir / "d.h5.out");
    CHECK(d.step == 2 * (rows / 64));
    CHECK(a.params[0].second.data != d.params[0].second.data);
  }
}
