// Streams one split of a dataset file (io/dataset.hpp) in batches of float32
// rows as a model is fed them (scaled, then checked: FeedRules), without loading the split into memory: rows are read in
// blocks (the file's chunks) by hyperslab, and decoded blocks are kept in a
// bounded least-recently-used cache, so a split that fits the cache is read
// from the file once and one that does not is still read a block per call. The order of epoch e is a pure function
// of (seed, e), so a resumed run sees the same batches. While the caller trains
// on one batch, the next is read on a TBB task.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.hpp"
#include "io/dataset.hpp"

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
  FeatureScaling scaling;
  ValueBounds bounds;
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
  std::size_t cache_bytes = 64u << 20;    // decoded blocks of rows kept in memory (least recently used go)
  FeedRules feed;                         // scaling and value checks (default: values as stored, finite)
};

// The row order of one epoch: 0..n-1 shuffled by a generator seeded from (seed, epoch).
std::vector<std::int64_t> epoch_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch);

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

  std::int64_t features() const;
  std::int64_t size() const;  // rows per epoch (after `limit`)
  std::int64_t batch_size() const;
  std::int64_t batches_per_epoch() const;
  bool has_labels() const;
  const DatasetInfo& info() const;

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
