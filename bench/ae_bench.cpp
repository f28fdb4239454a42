// ae-bench: times the reference workloads (bench-models.md) at 1 and 2 threads:
// median steps/s over >= 20 timed steps after 5 warm-up steps, GFLOP/s for the
// dense workloads, planned bytes, peak resident memory; a table or JSON lines.
// --model times zoo recipes instead; --profile adds each op's share of a step.
// --interleave builds a workload once per thread count and alternates their
// steps, so every count sees the same moments of a host whose speed drifts.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "apps/common/cli.hpp"
#include "engine/kernels/blas_core.hpp"
#include "engine/kernels/gemm.hpp"
#include "engine/rng.hpp"
#include "gemm_alone.hpp"
#include "io/batch_reader.hpp"
#include "io/memory_budget.hpp"
#include "json_line.hpp"
#include "op_profile.hpp"
#include "scaling_model.hpp"
#include "workloads.hpp"

namespace po = boost::program_options;
using namespace aeg;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) r.push_back(item);
  return r;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-bench options");
  opts.add_options()
      ("workloads", po::value<std::string>()->default_value("W1,W2,W3,W4,W5"), "workloads to time")
      ("model", po::value<std::string>(), "zoo recipes to time instead (conv-strided,vae,...)")
      ("batch", po::value<std::int64_t>()->default_value(128), "batch size for --model")
      ("profile", po::bool_switch(), "time every op and print the slowest (slows the step a little)")
      ("threads", po::value<std::string>()->default_value("1,2"), "thread counts")
      ("warmup", po::value<int>()->default_value(5), "untimed steps first")
      ("min-steps", po::value<int>()->default_value(20), "timed steps at least")
      ("min-time", po::value<double>()->default_value(2.0), "seconds of timed steps at least")
      ("data", po::value<std::string>(), "dataset file: time on its training rows (default: uniform random data)")
      ("reader", po::bool_switch(), "also time the batch reader alone on --data (rows/s over two epochs, batch 256)")
      ("data-memory", po::value<std::string>(), "the reader's memory budget (e.g. 64M; default half the available memory)")
      ("predict", po::value<std::string>()->implicit_value("4,8,16,64"),
       "also time each parallel loop piece by piece and predict the steps/s at these thread counts "
       "(default 4,8,16,64; most telling from a 1-thread run)")
      ("gemm", po::bool_switch(), "also time W2's 18 products alone through the engine's GEMM at each thread count")
      ("interleave", po::bool_switch(), "alternate the thread counts' steps in one process (same-time comparison; "
                                        "peak MiB is then the process's, for all of them)")
      ("json", po::bool_switch(), "one JSON object per workload and thread count");
  return apps::run_app("ae-bench", "[--workloads W1,W2 | --model RECIPE,...] [--threads 1,2] [--interleave] [--profile] [--json]", argc, argv, opts, [](const po::variables_map& vm) {
    const bool json = vm["json"].as<bool>(), profile = vm["profile"].as<bool>();
    const bool recipes = vm.count("model") > 0;
    const int warmup = vm["warmup"].as<int>(), min_steps = vm["min-steps"].as<int>();
    const double min_time = vm["min-time"].as<double>();
    if (min_steps < 1 || warmup < 0) throw std::invalid_argument("--min-steps must be >= 1 and --warmup >= 0");
    // 60 batches' worth of rows, cycled: random uniform, or the dataset's first rows.
    std::vector<float> data;
    std::int64_t rows = 256 * 60;
    if (vm.count("data")) {
      io::SplitArrays a = io::load_split(vm["data"].as<std::string>(), "train", rows);
      data = a.x.data;
      rows = a.x.shape[0];
    } else {
      Rng rng(123);
      data.resize(static_cast<std::size_t>(rows * 784));
      for (auto& v : data) v = static_cast<float>(rng.uniform());
    }
    if (!json) {
      std::printf("OpenBLAS kernels: %s; engine kernels: %s; GEMM tiles: at most %lld\n", blas_core().c_str(),
                  std::string(kernel_isa()).c_str(), static_cast<long long>(gemm_max_tiles()));
      std::printf("%-4s %-8s %7s %6s %11s %9s %9s %13s %13s %10s\n", "id", "model", "threads", "batch", "steps/s", "mean",
                  "GFLOP/s", "planned MiB", "naive MiB", "peak MiB");
    }
    const bool interleave = vm["interleave"].as<bool>();
    std::vector<int> thread_counts;
    for (const std::string& ts : split(vm["threads"].as<std::string>())) thread_counts.push_back(std::stoi(ts));
    // One workload instance per thread count being timed together.
    struct Run {
      int threads;
      bench::Workload w;
      std::int64_t bi = 0;
      std::vector<double> secs;
      bench::OpProfile prof;
      bench::ScalingModel model;
    };
    std::vector<int> predict_for;
    if (vm.count("predict"))
      for (const std::string& p : split(vm["predict"].as<std::string>())) predict_for.push_back(std::stoi(p));
    auto report = [&](const std::string& id, Run& r) {
      const bench::Workload& w = r.w;
      const std::vector<double>& secs = r.secs;
      const double sps = 1.0 / bench::median(secs);
      double total = 0;
      for (double v : secs) total += v;
      const double mean_sps = static_cast<double>(secs.size()) / total;  // shows slow outlier steps
      // The fastest step: the least disturbed one when the host stalls more than half of them.
      const double best_sps = 1.0 / *std::min_element(secs.begin(), secs.end());
      const double gf = w.flops_per_step > 0 ? w.flops_per_step * sps / 1e9 : 0;
      const double rss = peak_rss_mib();
      if (json) {
        nlohmann::ordered_json j{{"workload", id},
                                 {"threads", r.threads},
                                 {"batch", w.batch},
                                 {"steps_per_s", bench::rounded(sps, 2)},
                                 {"mean_steps_per_s", bench::rounded(mean_sps, 2)},
                                 {"best_steps_per_s", bench::rounded(best_sps, 2)}};
        if (gf > 0) j["gflops"] = bench::rounded(gf, 2);
        j["planned_bytes"] = w.planned_bytes;
        j["naive_bytes"] = w.naive_bytes;
        j["peak_rss_mib"] = bench::rounded(rss, 1);
        j["blas_core"] = blas_core();
        j["gemm_max_tiles"] = gemm_max_tiles();
        if (interleave) j["interleaved"] = true;
        bench::print_json_line(j);
      } else {
        std::printf("%-4s %-8s %7d %6lld %11.2f %9.2f %9s %13.2f %13.2f %10.1f\n", id.c_str(), w.name.c_str(), r.threads,
                    static_cast<long long>(w.batch), sps, mean_sps, gf > 0 ? std::to_string(gf).substr(0, 6).c_str() : "-",
                    static_cast<double>(w.planned_bytes) / 1048576.0, static_cast<double>(w.naive_bytes) / 1048576.0, rss);
      }
      if (!predict_for.empty()) {
        const bench::ScalingModel& m = r.model;
        if (json) {
          nlohmann::ordered_json predicted;
          for (std::size_t i = 0; i < m.threads.size(); ++i)
            predicted[std::to_string(m.threads[i])] = bench::rounded(1.0 / m.step_s[i], 2);
          bench::print_json_line({{"workload", id},
                                  {"threads", r.threads},
                                  {"predicted_from_steps_per_s", bench::rounded(1.0 / m.measured_step_s, 2)},
                                  {"serial_share", bench::rounded(m.serial_share, 4)},
                                  {"loops_per_step", std::round(m.loops_per_step)},
                                  {"predicted_steps_per_s", predicted}});
        } else {
          std::printf("  predicted from %d thread%s (%.2f steps/s while timing %.0f loops a step piece by piece, %.1f %% of the "
                      "step outside them):",
                      r.threads, r.threads == 1 ? "" : "s", 1.0 / m.measured_step_s, m.loops_per_step, 100 * m.serial_share);
          for (std::size_t i = 0; i < m.threads.size(); ++i)
            std::printf(" %d threads %.2f%s", m.threads[i], 1.0 / m.step_s[i], i + 1 < m.threads.size() ? "," : "");
          std::printf(" steps/s at most\n");
        }
      }
      if (profile) r.prof.print(1.0 / sps, json);
      std::fflush(stdout);
    };
    for (const std::string& id : split(vm[recipes ? "model" : "workloads"].as<std::string>())) {
      std::vector<std::vector<int>> groups;  // thread counts timed together
      if (interleave)
        groups.push_back(thread_counts);
      else
        for (int t : thread_counts) groups.push_back({t});
      for (const std::vector<int>& group : groups) {
        std::vector<Run> runs;
        for (int threads : group) {
          bench::Workload w = recipes ? bench::make_recipe_workload(id, vm["batch"].as<std::int64_t>(), threads, profile)
                                      : bench::make_workload(id, threads, profile);
          if (recipes && w.features != 784)  // W5 takes its own 16 inputs
            throw std::invalid_argument("'" + id + "' takes " + std::to_string(w.features) + " features; ae-bench feeds 784");
          runs.push_back({threads, std::move(w)});
        }
        auto step = [&](Run& r) {
          const std::int64_t nb = std::max<std::int64_t>(1, rows / r.w.batch);
          const float* x = data.data() + ((r.bi++ % nb) * r.w.batch * 784) % static_cast<std::int64_t>(data.size());
          const auto a = Clock::now();
          r.w.step(x);
          return std::chrono::duration<double>(Clock::now() - a).count();
        };
        for (int i = 0; i < warmup; ++i)
          for (Run& r : runs) step(r);
        for (Run& r : runs)
          if (profile) r.prof.record(r.w.op_times());
        const auto t0 = Clock::now();
        for (std::size_t round = 0;; ++round) {
          const bool enough = static_cast<int>(runs[0].secs.size()) >= min_steps &&
                              std::chrono::duration<double>(Clock::now() - t0).count() >= min_time * runs.size();
          if (enough || runs[0].secs.size() > 100000) break;
          // Rotate who goes first, so no thread count always follows the same one.
          for (std::size_t k = 0; k < runs.size(); ++k) {
            Run& r = runs[(round + k) % runs.size()];
            r.secs.push_back(step(r));
            if (profile) r.prof.record(r.w.op_times());
          }
        }
        if (!predict_for.empty())
          for (Run& r : runs) r.model = bench::predict_scaling([&] { return step(r); }, std::max(min_steps, 20), predict_for);
        for (Run& r : runs) report(id, r);
        if (runs.size() > 1 && !json) {
          // Same-moment scaling: the ratio of the interleaved steps' medians.
          for (std::size_t k = 1; k < runs.size(); ++k)
            std::printf("  %s: %d threads run %.2fx the steps/s of %d (medians of the interleaved steps)\n", id.c_str(),
                        runs[k].threads, bench::median(runs[0].secs) / bench::median(runs[k].secs), runs[0].threads);
        }
      }
    }
    if (vm["gemm"].as<bool>())
      for (int threads : thread_counts) {
        const bench::GemmAlone g = bench::time_w2_products(threads);
        if (json)
          bench::print_json_line({{"gemm", "W2"},
                                  {"threads", threads},
                                  {"ms_18_products", bench::rounded(g.seconds * 1e3, 3)},
                                  {"gflops", bench::rounded(g.gflops, 2)},
                                  {"tiles", g.tiles}});
        else
          std::printf("W2's 18 products alone through the engine's GEMM, %d thread%s: %.3f ms (sum of medians), %.1f GFLOP/s, "
                      "%lld tiles\n", threads, threads == 1 ? "" : "s", g.seconds * 1e3, g.gflops, static_cast<long long>(g.tiles));
        std::fflush(stdout);
      }
    if (vm["reader"].as<bool>()) {
      if (!vm.count("data")) throw std::invalid_argument("--reader needs --data");
      // Opening reads an in-memory split whole; then two epochs of shuffled batches.
      const std::int64_t memory =
          vm.count("data-memory") ? io::parse_memory_size(vm["data-memory"].as<std::string>(), "--data-memory") : 0;
      const auto t_open = Clock::now();
      io::BatchReader reader(vm["data"].as<std::string>(), "train", 256, {.seed = 1, .memory = memory});
      const double open_s = std::chrono::duration<double>(Clock::now() - t_open).count();
      if (!reader.layout_warning().empty()) std::fprintf(stderr, "warning: %s\n", reader.layout_warning().c_str());
      if (!json) std::printf("batch reader: %s; opened in %.2f s\n", reader.plan().describe().c_str(), open_s);
      io::Batch b;
      for (std::int64_t e = 0; e < 2; ++e) {
        const auto t0 = Clock::now();
        std::int64_t rows = 0;
        reader.start_epoch(e);
        while (reader.next(b)) rows += b.rows;
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (json)
          bench::print_json_line({{"reader", "train"},
                                  {"in_memory", reader.plan().in_memory},
                                  {"epoch", e},
                                  {"rows", rows},
                                  {"open_s", bench::rounded(open_s, 3)},
                                  {"epoch_s", bench::rounded(s, 3)},
                                  {"rows_per_s", bench::rounded(static_cast<double>(rows) / s, 1)},
                                  {"peak_rss_mib", bench::rounded(peak_rss_mib(), 1)}});
        else
          std::printf("batch reader epoch %lld: %lld shuffled rows in %.2f s = %.0f rows/s (peak RSS %.0f MiB)\n", static_cast<long long>(e),
                      static_cast<long long>(rows), s, static_cast<double>(rows) / s, peak_rss_mib());
        std::fflush(stdout);
      }
    }
    return 0;
  });
}
