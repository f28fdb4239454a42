// The one place parallelism lives. Each executor owns a Parallel: a TBB arena
// of its thread count. Loops split at fixed grains and reductions add fixed
// chunks in a fixed order, so every result is bitwise the same for 1 or N threads.
// Included by kernels only (it pulls in TBB).
#pragma once
#include <cstdint>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

namespace aeg {

class Parallel {
 public:
  explicit Parallel(int threads) : threads_(threads < 1 ? 1 : threads), arena_(threads_) {}
  Parallel(const Parallel&) = delete;
  Parallel& operator=(const Parallel&) = delete;

  int threads() const { return threads_; }

  // f(begin, end) over [0, n) in pieces of at most `grain`.
  template <class F>
  void for_range(std::int64_t n, std::int64_t grain, F&& f) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (threads_ == 1 || n <= grain) {
      f(std::int64_t{0}, n);
      return;
    }
    arena_.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::int64_t>(0, n, static_cast<std::size_t>(grain)),
          [&](const tbb::blocked_range<std::int64_t>& r) { f(r.begin(), r.end()); },
          tbb::simple_partitioner());
    });
  }

  // Sum of partial(begin, end) over fixed chunks of [0, n), added in chunk order.
  template <class R, class F>
  R sum(std::int64_t n, std::int64_t chunk, F&& partial) {
    if (n <= 0) return R(0);
    if (chunk < 1) chunk = 1;
    const std::int64_t parts = (n + chunk - 1) / chunk;
    if (parts == 1) return partial(std::int64_t{0}, n);
    std::vector<R> acc(static_cast<std::size_t>(parts));
    for_range(parts, 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t p = b; p < e; ++p)
        acc[static_cast<std::size_t>(p)] = partial(p * chunk, std::min(n, (p + 1) * chunk));
    });
    R total = R(0);
    for (const R& v : acc) total += v;
    return total;
  }

  template <class F>
  void run(F&& f) {
    arena_.execute(std::forward<F>(f));
  }

 private:
  int threads_;
  tbb::task_arena arena_;
};

}  // namespace aeg
