#include "io/batch_reader.hpp"

#include <tbb/task_group.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <list>
#include <unordered_map>
#include <utility>

#include "engine/rng.hpp"
#include "io/h5.hpp"

namespace aeg::io {
namespace {

// Numbers in messages: "255", "0.5", "nan" rather than "255.000000".
std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}


// One split of one file, open for reading rows. Rows are read in blocks (the
// dataset's chunks of rows, or 64 rows for contiguous data), one H5Dread per
// block, and decoded blocks are kept in a least-recently-used cache bounded by
// `cache_bytes`. Why: every H5Dread costs ~0.25 ms of HDF5 bookkeeping even for
// one cached row, so a shuffled batch of 256 single-row reads took 0.3 s; with
// blocks, a dataset that fits the cache costs one read per block per run, and
// one that does not still reads 20-64 rows per call.
class SplitFile {
 public:
  SplitFile(const std::string& path, const std::string& split, std::size_t cache_bytes, FeedRules feed)
      : path_(path), info_(describe(path)), split_(info_.split(split)), xname_("/" + split + "/x"),
        yname_("/" + split + "/y"), cache_bytes_(cache_bytes), feed_(std::move(feed)) {
    features_ = info_.features;
    check_scaling(feed_.scaling, features_, path + ": the scaling given for " + xname_);
    elem_bytes_ = split_.dtype == DType::uint8 ? 1 : 4;
    file_ = h5::open_file(path);
    const std::string at = path + ": " + xname_;
    x_ = h5::dataset(H5Dopen2(file_, xname_.c_str(), H5P_DEFAULT), at);
    {
      h5::Id dcpl = h5::plist(H5Dget_create_plist(x_), at);
      if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        std::vector<hsize_t> c(static_cast<std::size_t>(info_.sample_shape.size() + 1));
        H5Pget_chunk(dcpl, static_cast<int>(c.size()), c.data());
        block_rows_ = static_cast<std::int64_t>(c[0]);
      }
    }
    if (block_rows_ <= 0) block_rows_ = 64;
    if (split_.labels) {  // 4 bytes a row: read them all once
      h5::Id y = h5::dataset(H5Dopen2(file_, yname_.c_str(), H5P_DEFAULT), path + ": " + yname_);
      labels_.resize(static_cast<std::size_t>(split_.rows));
      if (split_.rows > 0)
        h5::check(H5Dread(y, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels_.data()),
                  path + ": " + yname_ + ": read");
    }
    if (split_.dtype == DType::uint8)
      for (int v = 0; v < 256; ++v) lut_[v] = static_cast<float>(v / split_.scale);
  }

  const DatasetInfo& info() const { return info_; }
  const SplitInfo& split() const { return split_; }
  std::int64_t features() const { return features_; }

  // Read rows[0..m) (sorted ascending, distinct) and write row j to x + dest[j] * features
  // (and its label to y[dest[j]] when y is not null).
  void read(const std::int64_t* rows, const std::int64_t* dest, std::int64_t m, float* x,
            std::int32_t* y) {
    const std::string at = path_ + ": " + xname_;
    for (std::int64_t j = 0; j < m; ++j) {
      const std::int64_t r = rows[j], b = r / block_rows_;
      const unsigned char* raw = block(b, at) + (r - b * block_rows_) * features_ * elem_bytes_;
      convert_row(raw, x + dest[j] * features_, r, at);
      if (y && split_.labels) y[dest[j]] = labels_[static_cast<std::size_t>(r)];
    }
  }

 private:
  // Raw bytes of block b, from the cache or read now.
  const unsigned char* block(std::int64_t b, const std::string& at) {
    if (auto it = where_.find(b); it != where_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return lru_.front().second.data();
    }
    const std::int64_t first = b * block_rows_, rows = std::min(block_rows_, split_.rows - first);
    const std::size_t bytes = static_cast<std::size_t>(rows * features_ * elem_bytes_);
    while (!lru_.empty() && cached_ + bytes > cache_bytes_) {
      cached_ -= lru_.back().second.size();
      where_.erase(lru_.back().first);
      lru_.pop_back();
    }
    lru_.emplace_front(b, std::vector<unsigned char>(bytes));
    where_[b] = lru_.begin();
    cached_ += bytes;

    h5::Id fspace = h5::space(H5Dget_space(x_), at);
    const int rank = H5Sget_simple_extent_ndims(fspace);
    std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0), count(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(fspace, count.data(), nullptr);
    start[0] = static_cast<hsize_t>(first);
    count[0] = static_cast<hsize_t>(rows);
    h5::check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
              at + ": select rows");
    // The memory space has the file selection's shape: with another rank HDF5
    // maps every element to its chunk one by one (~50x slower).
    h5::Id ms = h5::space(H5Screate_simple(rank, count.data(), nullptr), at);
    const hid_t type = split_.dtype == DType::uint8 ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT;
    try {
      h5::check(H5Dread(x_, type, ms, fspace, H5P_DEFAULT, lru_.front().second.data()), at + ": read");
    } catch (...) {
      cached_ -= bytes;
      where_.erase(b);
      lru_.pop_front();
      throw;
    }
    return lru_.front().second.data();
  }

  // One row of stored values to what the model is fed (decoded, scaled), checked
  // in the same pass; throws naming the row and column of the first bad value.
  void convert_row(const unsigned char* raw, float* d, std::int64_t row, const std::string& at) const {
    if (split_.dtype == DType::uint8) {
      for (std::int64_t f = 0; f < features_; ++f) d[f] = lut_[raw[f]];
    } else {
      const float* s = reinterpret_cast<const float*>(raw);
      const float scale = static_cast<float>(split_.scale);
      for (std::int64_t f = 0; f < features_; ++f) d[f] = scale == 1.0f ? s[f] : s[f] / scale;
    }
    if (!feed_.scaling.empty()) feed_.scaling.apply(d, 1);
    // Bytes over a positive scale are finite: only a scaling or bounds can make them bad.
    if (split_.dtype == DType::uint8 && feed_.scaling.empty() && !feed_.bounds.bounded()) return;
    const float lo = static_cast<float>(feed_.bounds.lo), hi = static_cast<float>(feed_.bounds.hi);
    bool ok = true;
    for (std::int64_t f = 0; f < features_; ++f) ok &= std::isfinite(d[f]) & (d[f] >= lo) & (d[f] <= hi);
    if (ok) return;
    std::int64_t f = 0;
    while (std::isfinite(d[f]) && d[f] >= lo && d[f] <= hi) ++f;
    const std::string where = at + " row " + std::to_string(row) + " column " + std::to_string(f);
    if (!std::isfinite(d[f])) {
      const double stored = split_.dtype == DType::uint8 ? raw[f] : reinterpret_cast<const float*>(raw)[f];
      throw DataError(where + " has value " + num(stored) +
                      (std::isfinite(stored) ? " (" + num(d[f]) + " after scaling)" : std::string()) +
                      ", expected a finite number");
    }
    const ValueBounds& b = feed_.bounds;
    const std::string value = num(d[f]) + (feed_.scaling.empty() ? "" : " (after scaling)");
    if (b.need.empty())
      throw DataError(where + " has value " + value + ", expected a number in [" + num(b.lo) + ", " + num(b.hi) + "]");
    throw DataError(path_ + ": " + b.need + "; this file has " + value + " at " + xname_ + " row " +
                    std::to_string(row) + " column " + std::to_string(f) + (b.remedy.empty() ? "" : ": " + b.remedy));
  }

  std::string path_;
  DatasetInfo info_;
  SplitInfo split_;
  std::string xname_, yname_;
  std::size_t cache_bytes_;
  FeedRules feed_;
  std::int64_t features_ = 0, elem_bytes_ = 1, block_rows_ = 0;
  h5::Id file_, x_;
  float lut_[256] = {};
  std::vector<std::int32_t> labels_;
  // Least recently used first at the back.
  std::list<std::pair<std::int64_t, std::vector<unsigned char>>> lru_;
  std::unordered_map<std::int64_t, decltype(lru_)::iterator> where_;
  std::size_t cached_ = 0;
};

}  // namespace

std::vector<std::int64_t> epoch_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  Rng rng(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(epoch))));
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

// ---------------------------------------------------------------- BatchReader

struct BatchReader::Impl {
  SplitFile file;
  std::int64_t batch, n;
  ReaderOptions opt;
  std::vector<std::int64_t> order;
  std::int64_t cursor = 0, epoch = -1;
  std::vector<std::pair<std::int64_t, std::int64_t>> sorted;  // (row, position in batch)
  std::vector<std::int64_t> rows, dest;

  // Prefetch: at most one read in flight, into `spare`, for batch `pending`.
  tbb::task_group tasks;
  Batch spare;
  std::int64_t pending = -1;
  std::exception_ptr error;

  Impl(const std::string& path, const std::string& split, std::int64_t b, ReaderOptions o)
      : file(path, split, o.cache_bytes, o.feed), batch(b), opt(o) {
    n = file.split().rows;
    if (opt.limit > 0) n = std::min(n, opt.limit);
  }
  ~Impl() { drain(); }

  std::int64_t batches() const { return opt.drop_last ? n / batch : (n + batch - 1) / batch; }

  void drain() {
    if (pending >= 0) tasks.wait();
    pending = -1;
    error = nullptr;
  }

  void read(std::int64_t k, Batch& b) {
    const std::int64_t begin = k * batch, m = std::min(batch, n - begin);
    b.rows = m;
    b.x.resize(static_cast<std::size_t>(m * file.features()));
    b.index.assign(order.begin() + begin, order.begin() + begin + m);
    if (file.split().labels) b.y.resize(static_cast<std::size_t>(m));
    else b.y.clear();
    sorted.resize(static_cast<std::size_t>(m));
    for (std::int64_t j = 0; j < m; ++j) sorted[static_cast<std::size_t>(j)] = {b.index[static_cast<std::size_t>(j)], j};
    std::sort(sorted.begin(), sorted.end());
    rows.resize(static_cast<std::size_t>(m));
    dest.resize(static_cast<std::size_t>(m));
    for (std::int64_t j = 0; j < m; ++j) {
      rows[static_cast<std::size_t>(j)] = sorted[static_cast<std::size_t>(j)].first;
      dest[static_cast<std::size_t>(j)] = sorted[static_cast<std::size_t>(j)].second;
    }
    file.read(rows.data(), dest.data(), m, b.x.data(), b.y.empty() ? nullptr : b.y.data());
  }

  void launch(std::int64_t k) {
    pending = k;
    tasks.run([this, k] {
      try {
        h5::quiet();
        read(k, spare);
      } catch (...) {
        error = std::current_exception();
      }
    });
  }
};

BatchReader::BatchReader(const std::string& path, const std::string& split, std::int64_t batch,
                         ReaderOptions options) {
  if (batch < 1) throw std::invalid_argument("BatchReader: batch size must be at least 1");
  h5::quiet();
  impl_ = std::make_unique<Impl>(path, split, batch, options);
}

BatchReader::~BatchReader() = default;

void BatchReader::start_epoch(std::int64_t epoch) {
  Impl& m = *impl_;
  m.drain();
  m.epoch = epoch;
  m.cursor = 0;
  if (m.opt.shuffle) {
    m.order = epoch_order(m.n, m.opt.seed, epoch);
  } else if (static_cast<std::int64_t>(m.order.size()) != m.n) {
    m.order.resize(static_cast<std::size_t>(m.n));
    for (std::int64_t i = 0; i < m.n; ++i) m.order[static_cast<std::size_t>(i)] = i;
  }
  if (m.opt.prefetch && m.batches() > 0) m.launch(0);
}

bool BatchReader::next(Batch& b) {
  Impl& m = *impl_;
  h5::quiet();
  if (m.epoch < 0) start_epoch(0);
  if (m.cursor >= m.batches()) return false;
  const std::int64_t k = m.cursor;
  if (m.pending == k) {
    m.tasks.wait();
    m.pending = -1;
    if (m.error) {
      auto e = std::exchange(m.error, nullptr);
      std::rethrow_exception(e);
    }
    std::swap(b, m.spare);
  } else {
    m.drain();
    m.read(k, b);
  }
  ++m.cursor;
  if (m.opt.prefetch && m.cursor < m.batches()) m.launch(m.cursor);
  return true;
}

std::int64_t BatchReader::features() const { return impl_->file.features(); }
std::int64_t BatchReader::size() const { return impl_->n; }
std::int64_t BatchReader::batch_size() const { return impl_->batch; }
std::int64_t BatchReader::batches_per_epoch() const { return impl_->batches(); }
bool BatchReader::has_labels() const { return impl_->file.split().labels; }
const DatasetInfo& BatchReader::info() const { return impl_->file.info(); }

// ---------------------------------------------------------------- load_split

SplitArrays load_split(const std::string& path, const std::string& split, std::int64_t limit,
                       const FeedRules& feed) {
  h5::quiet();
  SplitFile file(path, split, 8u << 20, feed);
  std::int64_t n = file.split().rows;
  if (limit > 0) n = std::min(n, limit);
  SplitArrays r;
  r.x = Tensor<float>({n, file.features()});
  if (file.split().labels) r.y.resize(static_cast<std::size_t>(n));
  constexpr std::int64_t block = 4096;
  std::vector<std::int64_t> rows, dest;
  for (std::int64_t b = 0; b < n; b += block) {
    const std::int64_t m = std::min(block, n - b);
    rows.resize(static_cast<std::size_t>(m));
    for (std::int64_t j = 0; j < m; ++j) rows[static_cast<std::size_t>(j)] = b + j;
    dest = rows;
    file.read(rows.data(), dest.data(), m, r.x.ptr(), r.y.empty() ? nullptr : r.y.data());
  }
  return r;
}

}  // namespace aeg::io
