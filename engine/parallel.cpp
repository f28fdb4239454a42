#include "engine/parallel.hpp"

#include "engine/denormals.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

namespace aeg {

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
  arena_->arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, static_cast<std::size_t>(grain)),
                      [&](const tbb::blocked_range<std::int64_t>& r) {
                        const detail::FlushDenormals ftz;  // workers do not share the caller's mode
                        body(r.begin(), r.end());
                      },
                      tbb::simple_partitioner());
  });
}

}  // namespace aeg
