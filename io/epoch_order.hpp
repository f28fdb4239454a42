// The order in which one epoch visits the rows of a training split. Both orders
// are pure functions of (seed, epoch), so a resumed run sees the same batches.
#pragma once
#include <cstdint>
#include <vector>

namespace aeg::io {

// A uniform shuffle of 0..n-1 (the split held in memory).
std::vector<std::int64_t> epoch_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch);

// The split read from the file window by window: its blocks of `block_rows` rows
// (the file's chunks; the last may be short) in a shuffled order, taken
// `window_blocks` at a time, and the rows of each window shuffled among
// themselves, as a shuffle buffer (tf.data, WebDataset) does. Every row once.
// `blocks`, when given, receives the block order.
std::vector<std::int64_t> window_order(std::int64_t n, std::int64_t block_rows, std::int64_t window_blocks,
                                       std::uint64_t seed, std::int64_t epoch,
                                       std::vector<std::int64_t>* blocks = nullptr);

}  // namespace aeg::io
