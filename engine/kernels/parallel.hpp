// The one place parallelism lives. Each executor owns a Parallel: a TBB arena
// of its thread count. Loops split at fixed grains and reductions add fixed
// chunks in a fixed order, so every result is bitwise the same for 1 or N threads.
//
// The loop body is passed type-erased (one indirect call per chunk of
// thousands of elements), so TBB is instantiated once in parallel.cpp instead
// of once per kernel lambda: that keeps the op files quick to compile.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace aeg {

// A non-owning reference to a callable f(begin, end).
class RangeBody {
 public:
  template <class F>
  RangeBody(F& f)  // NOLINT: implicit on purpose, it is only ever a parameter
      : obj_(static_cast<void*>(std::addressof(f))),
        call_([](void* o, std::int64_t b, std::int64_t e) { (*static_cast<F*>(o))(b, e); }) {}
  void operator()(std::int64_t b, std::int64_t e) const { call_(obj_, b, e); }

 private:
  void* obj_;
  void (*call_)(void*, std::int64_t, std::int64_t);
};

// While a TaskLog lives, every parallel loop that its thread starts is timed
// piece by piece (ae-bench's prediction of the step time at P threads). On one
// thread the pieces run one after another, cut exactly as a parallel run cuts them.
struct TaskLog {
  struct Region {
    std::int64_t tasks = 0;
    double total_s = 0, longest_s = 0, wall_s = 0;
  };
  TaskLog();
  ~TaskLog();
  TaskLog(const TaskLog&) = delete;
  TaskLog& operator=(const TaskLog&) = delete;
  std::vector<Region> regions;
  static TaskLog* current();

 private:
  TaskLog* outer_;
};

class Parallel {
 public:
  explicit Parallel(int threads);
  ~Parallel();
  Parallel(const Parallel&) = delete;
  Parallel& operator=(const Parallel&) = delete;

  int threads() const { return threads_; }

  // f(begin, end) over [0, n) in pieces of at most `grain`.
  template <class F>
  void for_range(std::int64_t n, std::int64_t grain, F&& f) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (TaskLog::current() != nullptr) {
      std::remove_reference_t<F>& body = f;
      logged_range(n, grain, RangeBody(body));
      return;
    }
    if (threads_ == 1 || n <= grain) {
      f(std::int64_t{0}, n);
      return;
    }
    std::remove_reference_t<F>& body = f;
    parallel_range(n, grain, RangeBody(body));
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

 private:
  void parallel_range(std::int64_t n, std::int64_t grain, RangeBody body);
  void logged_range(std::int64_t n, std::int64_t grain, RangeBody body);

  struct Arena;
  int threads_;
  std::unique_ptr<Arena> arena_;
};

}  // namespace aeg
