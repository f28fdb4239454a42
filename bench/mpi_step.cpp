// ae-mpi-step: one data-parallel training step timed under mpirun, split into
// compute (this rank's blocks, forward and backward, and its partial sums),
// idle (waiting at a barrier for the slowest rank) and gradient exchange (the
// all-gather of partial sums and the rest of the tree); then a plain
// MPI_Allreduce of the same gradient and the exchange, each timed alone in a
// loop, for comparison. Rank 0
// prints one JSON line (each part the slowest rank's, per step). bench/mpi_step.sh runs it.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/executor.hpp"
#include "engine/optim.hpp"
#include "train/data_parallel.hpp"
#include "train/mpi/mpi_ranks.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/model.hpp"

using namespace aeg;
using namespace aeg::train;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double slowest(double v) {
  double m = 0;
  MPI_Reduce(&v, &m, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  MpiRanks ranks(&argc, &argv);
  std::string model_name = "deep";
  std::int64_t batch = 256, blocks = 0, steps = 20, warmup = 3;
  int threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--model") model_name = v;
    else if (k == "--batch") batch = std::stoll(v);
    else if (k == "--grad-blocks") blocks = std::stoll(v);
    else if (k == "--steps") steps = std::stoll(v);
    else if (k == "--warmup") warmup = std::stoll(v);
    else if (k == "--threads") threads = std::stoi(v);
    else {
      if (ranks.rank() == 0)
        std::fprintf(stderr, "usage: ae-mpi-step [--model deep] [--batch 256] [--grad-blocks 0] [--steps 20] [--warmup 3] [--threads 1]\n");
      return 2;
    }
  }
  const zoo::ModelSpec spec = zoo::recipe(model_name, 784, {1, 28, 28});
  const BlockLayout layout = block_layout(batch, blocks);
  auto model = zoo::build(spec, layout.rows, data_parallel_build());
  if (const std::string why = data_parallel_obstacle(*model); !why.empty()) {
    if (ranks.rank() == 0) std::fprintf(stderr, "ae-mpi-step: %s\n", why.c_str());
    return 2;
  }
  DataParallel dp(&ranks, layout, 1);
  ParamStore<float> params;
  Rng init(1);
  params.init_from(model->graph, init);
  Adam<float> opt(params, zoo::adam_options(spec, 1e-3, threads));
  Executor<float> ex(compile(model->graph, {model->loss}), params, {.threads = threads, .seed = 1});

  // This rank's rows of a batch: fixed values in [0, 1], labels 0.
  io::Batch mine;
  mine.rows = dp.rows();
  mine.x.resize(static_cast<std::size_t>(mine.rows * spec.features));
  Rng data(2 + static_cast<std::uint64_t>(ranks.rank()));
  for (float& v : mine.x) v = static_cast<float>(data.uniform());
  mine.y.assign(static_cast<std::size_t>(mine.rows), 0);

  double t0 = 0;
  dp.measure_idle = true;
  for (std::int64_t s = 0; s < warmup + steps; ++s) {
    if (s == warmup) {
      ranks.barrier();
      t0 = now();
      dp.reset_times();
    }
    dp.gradients(ex, *model, params, mine, s);
    opt.step();
  }
  const double step_s = (now() - t0) / static_cast<double>(steps);
  const StepTimes t = dp.times();
  const double per = 1.0 / static_cast<double>(t.steps);

  // The exchange alone, in a loop, against a plain all-reduce of the same
  // gradient (whose summation order MPI does not fix), in the same loop.
  ranks.barrier();
  const double e0 = now();
  for (std::int64_t s = 0; s < steps; ++s) dp.exchange_again();
  const double exchange_alone_s = (now() - e0) / static_cast<double>(steps);
  std::vector<float> g(static_cast<std::size_t>(params.count()), 1.0f), out(g.size());
  ranks.barrier();
  const double a0 = now();
  for (std::int64_t s = 0; s < steps; ++s)
    MPI_Allreduce(g.data(), out.data(), static_cast<int>(g.size()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  const double allreduce_s = (now() - a0) / static_cast<double>(steps);

  const double compute = slowest(t.compute * per), idle = slowest(t.idle * per), exchange = slowest(t.exchange * per);
  const double step = slowest(step_s), allreduce = slowest(allreduce_s), alone = slowest(exchange_alone_s);
  if (ranks.rank() == 0)
    std::printf("{\"model\": \"%s\", \"batch\": %lld, \"blocks\": %lld, \"block_rows\": %lld, \"ranks\": %d, \"threads\": %d, "
                "\"params\": %lld, \"step_ms\": %.3f, \"compute_ms\": %.3f, \"idle_ms\": %.3f, \"exchange_ms\": %.3f, "
                "\"received_bytes\": %lld, \"exchange_alone_ms\": %.3f, \"allreduce_ms\": %.3f}\n",
                model_name.c_str(), static_cast<long long>(batch), static_cast<long long>(layout.blocks),
                static_cast<long long>(layout.rows), ranks.size(), threads, static_cast<long long>(params.count()),
                1e3 * step, 1e3 * compute, 1e3 * idle, 1e3 * exchange, static_cast<long long>(t.bytes), 1e3 * alone, 1e3 * allreduce);
  return 0;
}
