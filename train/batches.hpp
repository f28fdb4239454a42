// Running a fixed-size graph over n rows: every batch has b rows but the last,
// so at most two graphs are built (the full size and the rest), each once.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace aeg::train {

// make(rows) -> std::unique_ptr<Run>; step(Run&, first, rows) for each batch.
template <class Run, class Make, class Step>
void over_batches(std::int64_t n, std::int64_t b, Make&& make, Step&& step) {
  if (b < 1) throw std::invalid_argument("the batch size must be at least 1, got " + std::to_string(b));
  b = std::min(b, n);
  std::unique_ptr<Run> full, rest;
  for (std::int64_t first = 0; first < n; first += b) {
    const std::int64_t rows = std::min(b, n - first);
    std::unique_ptr<Run>& r = rows == b ? full : rest;
    if (!r) r = make(rows);
    step(*r, first, rows);
  }
}

}  // namespace aeg::train
