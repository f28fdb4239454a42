#include "engine/kernels/parallel.hpp"

#include "engine/kernels/denormals.hpp"
#include "engine/kernels/tsan_handoff.hpp"

#include <chrono>
#include <mutex>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

namespace aeg {

namespace {

thread_local TaskLog* current_log = nullptr;

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// The pieces simple_partitioner cuts [b, e) into: halves (blocked_range's split
// point) until a piece is no longer than the grain.
template <class F>
void pieces(std::int64_t b, std::int64_t e, std::int64_t grain, F&& f) {
  if (e - b > grain) {
    const std::int64_t mid = b + (e - b) / 2;
    pieces(b, mid, grain, f);
    pieces(mid, e, grain, f);
  } else {
    f(b, e);
  }
}

}  // namespace

TaskLog::TaskLog() : outer_(current_log) { current_log = this; }
TaskLog::~TaskLog() { current_log = outer_; }
TaskLog* TaskLog::current() { return current_log; }

struct Parallel::Arena {
  explicit Arena(int threads) : arena(threads) {}
  tbb::task_arena arena;
};

Parallel::Parallel(int threads)
    : threads_(threads < 1 ? 1 : threads), arena_(std::make_unique<Arena>(threads_)) {}

Parallel::~Parallel() = default;

void Parallel::parallel_range(std::int64_t n, std::int64_t grain, RangeBody body) {
  // simple_partitioner splits down to the grain exactly, so chunk boundaries
  // (and with them every per-chunk result) do not depend on the thread count.
  using handoff = detail::TaskHandoff;  // for ThreadSanitizer only
  handoff::spawn();
  arena_->arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, static_cast<std::size_t>(grain)),
                      [&](const tbb::blocked_range<std::int64_t>& r) {
                        handoff::enter();
                        const detail::FlushDenormals ftz;  // workers do not share the caller's mode
                        body(r.begin(), r.end());
                        handoff::leave();
                      },
                      tbb::simple_partitioner());
  });
  handoff::joined();
}

void Parallel::logged_range(std::int64_t n, std::int64_t grain, RangeBody body) {
  TaskLog* log = current_log;
  current_log = nullptr;  // a loop inside a piece is part of that piece's time
  TaskLog::Region r;
  std::mutex m;
  auto timed = [&](std::int64_t b, std::int64_t e) {
    const double t0 = now_s();
    body(b, e);
    const double t = now_s() - t0;
    const std::lock_guard<std::mutex> lock(m);
    ++r.tasks;
    r.total_s += t;
    r.longest_s = std::max(r.longest_s, t);
  };
  const double t0 = now_s();
  if (threads_ == 1)
    pieces(0, n, grain, timed);
  else
    parallel_range(n, grain, RangeBody(timed));
  r.wall_s = now_s() - t0;
  log->regions.push_back(r);
  current_log = log;
}

}  // namespace aeg
