// Streams one split of a dataset file (io/dataset.hpp) in batches of float32
// rows as a model is fed them (scaled, then checked: FeedRules). Rows are read
// in blocks (the file's chunks of rows) and kept decoded in a bounded cache. Two ways, chosen by the
// split's size against a memory budget:
// - it fits: every block is read once, in file order, when the reader opens
//   (at disk and inflate speed), and each epoch is a uniform shuffle of the rows
//   (epoch_order) served from memory;
// - it does not: each epoch reads every block once, in a shuffled block order,
//   and shuffles the rows within windows of blocks (window_order); the next
//   window's blocks are read while the current one trains, a few per batch.
// Either order is a pure function of (seed, epoch), so a resumed run sees the
// same batches. While the caller trains on one batch, the next is read on a TBB task.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor.hpp"
#include "io/dataset.hpp"
#include "io/epoch_order.hpp"

namespace aeg::io {

// What a model needs of the values it is fed, e.g. a BCE loss: [0, 1]. A value
// outside is refused as "<file>: <need>; this file has <v> at /train/x row r
// column c: <remedy>".
struct ValueBounds {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  std::string need;    // "BCE needs targets in [0, 1]"
  std::string remedy;  // "use --loss mse --output identity, or rescale"
  bool bounded() const { return lo > -std::numeric_limits<double>::infinity() || hi < std::numeric_limits<double>::infinity(); }
};

// How stored values become a model's input, in one pass as rows are read:
// decoded (uint8 / scale), scaled by `scaling`, then checked: NaN and infinities
// are always refused, and values outside `bounds`.
struct FeedRules {
  FeatureScaling scaling = {};
  ValueBounds bounds = {};
};

struct Batch {
  std::vector<float> x;             // rows x features, as FeedRules make them
  std::vector<std::int32_t> y;      // one label per row (empty when the split has none)
  std::vector<std::int64_t> index;  // each row's number in the file
  std::int64_t rows = 0;
};

struct ReaderOptions {
  std::uint64_t seed = 0;
  bool shuffle = true;
  std::int64_t limit = 0;                 // use only the first `limit` rows (0 = all)
  bool drop_last = false;                 // drop a last, smaller batch
  bool prefetch = true;                   // read the next batch on a TBB task
  std::int64_t memory = 0;                // bytes the split may take in memory (0 = default_data_memory())
  FeedRules feed = {};                    // scaling and value checks (default: values as stored, finite)
  // Serve only rows [first, first + count) of each batch, where part(rows of the
  // whole batch) gives {first, count} (empty function: all of it): one rank's
  // share of a global batch (train/data_parallel.hpp), which may be no rows.
  // Called on the prefetch task: it must be safe to call from another thread.
  std::function<std::pair<std::int64_t, std::int64_t>(std::int64_t)> part = {};
};

// How the reader holds the split (see the top of this file).
struct ReaderPlan {
  bool in_memory = true;
  std::int64_t split_bytes = 0;    // the split as stored, decoded (1 byte a value for uint8, 4 for float32)
  std::int64_t budget = 0;         // ReaderOptions::memory, or the default
  std::int64_t block_rows = 0;     // rows per block (the file's chunk rows, or 64 for contiguous data)
  std::int64_t window_blocks = 0;  // blocks per window when streaming
  std::string describe() const;    // one line for a progress header
};

class BatchReader {
 public:
  // split: "train" or "test". Validates the file (describe()) and throws DataError.
  BatchReader(const std::string& path, const std::string& split, std::int64_t batch,
              ReaderOptions options = {});
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // Begin epoch `epoch` (next() begins epoch 0 by itself if never called).
  void start_epoch(std::int64_t epoch);
  // The next batch of the epoch; false when the epoch is over. Throws DataError
  // on bad values (NaN, infinite, outside the feed's bounds), naming file,
  // dataset, row and column.
  bool next(Batch& batch);
  // Passes over the next `batches` batches of the epoch without reading them.
  void skip(std::int64_t batches);

  std::int64_t features() const;
  std::int64_t size() const;  // rows per epoch (after `limit`)
  std::int64_t batch_size() const;
  std::int64_t batches_per_epoch() const;
  bool has_labels() const;
  const DatasetInfo& info() const;
  const ReaderPlan& plan() const;
  // A warning about the file's chunking, naming the file (empty when the layout
  // serves the reader): one chunk per few rows, or an unchunked huge split.
  const std::string& layout_warning() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A whole split (first `limit` rows, 0 = all) in memory: x is rows x features,
// as `feed` makes them.
struct SplitArrays {
  Tensor<float> x;
  std::vector<std::int32_t> y;  // empty when the split has no labels
};
SplitArrays load_split(const std::string& path, const std::string& split, std::int64_t limit = 0,
                       const FeedRules& feed = {});

}  // namespace aeg::io
