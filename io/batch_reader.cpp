#include "io/batch_reader.hpp"

#include <tbb/task_group.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <list>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <tbb/parallel_for.h>

#include "engine/kernels/tsan_handoff.hpp"
#include "io/chunk_decode.hpp"
#include "io/h5.hpp"
#include "io/memory_budget.hpp"

namespace aeg::io {
namespace {

// Numbers in messages: "255", "0.5", "nan" rather than "255.000000".
std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

// One split of one file, open for reading rows. Rows are read in blocks (the
// dataset's chunks of rows, or 64 rows for contiguous data), one HDF5 read per
// block, and decoded blocks are kept in a least-recently-used cache bounded by
// `cache_bytes` (BatchReader sizes it: the whole split, or two windows). Why:
// every H5Dread costs ~0.25 ms of HDF5 bookkeeping even for one cached row, so a
// shuffled batch of 256 single-row reads took 0.3 s.
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
        bool whole_rows = true;  // a chunk spans whole rows: block b is chunk b
        for (std::size_t i = 1; i < c.size(); ++i)
          whole_rows &= static_cast<std::int64_t>(c[i]) == info_.sample_shape[i - 1];
        h5::Id stored = h5::type(H5Dget_type(x_), at);
        if (whole_rows) filters_ = chunk_filters(dcpl, stored);
      }
    }
    chunked_ = block_rows_ > 0;
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
  std::int64_t block_rows() const { return block_rows_; }
  std::int64_t row_bytes() const { return features_ * elem_bytes_; }
  bool chunked() const { return chunked_; }
  const std::string& path() const { return path_; }
  void set_capacity(std::size_t bytes) { cache_bytes_ = bytes; }
  // Block b into the cache (read now unless it is there).
  void load(std::int64_t b) { block(b, path_ + ": " + xname_); }

  // Blocks into the cache: the missing ones fetched raw one after another (HDF5
  // runs one call at a time), then inflated side by side on TBB tasks.
  void load_many(const std::int64_t* bs, std::size_t count) {
    if (!filters_.usable) {
      for (std::size_t i = 0; i < count; ++i) load(bs[i]);
      return;
    }
    const std::string at = path_ + ": " + xname_;
    const std::size_t block_bytes = static_cast<std::size_t>(block_rows_ * row_bytes());
    // Never more at once than half the cache holds, so none evicts another of its group.
    const std::size_t group = std::max<std::size_t>(1, std::min<std::size_t>(64, cache_bytes_ / std::max<std::size_t>(block_bytes, 1) / 2));
    std::vector<std::int64_t> todo;
    for (std::size_t i = 0; i < count; ++i)
      if (!where_.count(bs[i]) && std::find(todo.begin(), todo.end(), bs[i]) == todo.end()) todo.push_back(bs[i]);
    std::vector<std::vector<unsigned char>> raw(group);
    std::vector<std::uint32_t> mask(group);
    std::vector<unsigned char*> dst(group);
    std::vector<std::size_t> rows_bytes(group);
    std::vector<hsize_t> offset(info_.sample_shape.size() + 1, 0);
    for (std::size_t g0 = 0; g0 < todo.size(); g0 += group) {
      const std::size_t g1 = std::min(todo.size(), g0 + group);
      for (std::size_t i = g0; i < g1; ++i) {
        const std::size_t j = i - g0;
        offset[0] = static_cast<hsize_t>(todo[i] * block_rows_);
        hsize_t stored = 0;
        h5::check(H5Dget_chunk_storage_size(x_, offset.data(), &stored), at + ": chunk size");
        if (stored > max_stored_bytes(filters_, block_bytes))
          throw DataError(at + ": chunk " + std::to_string(todo[i]) + " is stored in " + std::to_string(stored) +
                          " bytes, more than its " + std::to_string(block_bytes) + " bytes can take compressed");
        raw[j].resize(static_cast<std::size_t>(stored));
        h5::check(H5Dread_chunk(x_, H5P_DEFAULT, offset.data(), &mask[j], raw[j].data()), at + ": read chunk");
        const std::int64_t rows = std::min(block_rows_, split_.rows - todo[i] * block_rows_);
        rows_bytes[j] = static_cast<std::size_t>(rows * row_bytes());
        dst[j] = slot(todo[i], rows_bytes[j]);
      }
      using handoff = aeg::detail::TaskHandoff;  // for ThreadSanitizer only
      handoff::spawn();
      tbb::parallel_for(std::size_t{0}, g1 - g0, [&](std::size_t j) {
        handoff::enter();
        if (rows_bytes[j] == block_bytes) {
          decode_chunk(filters_, mask[j], raw[j].data(), raw[j].size(), dst[j], block_bytes, at);
        } else {  // the last chunk is stored whole, padded past the split's end
          std::vector<unsigned char> full(block_bytes);
          decode_chunk(filters_, mask[j], raw[j].data(), raw[j].size(), full.data(), block_bytes, at);
          std::memcpy(dst[j], full.data(), rows_bytes[j]);
        }
        handoff::leave();
      });
      handoff::joined();
    }
  }
  // Block b out of the cache: it will not be read again soon.
  void forget(std::int64_t b) {
    if (auto it = where_.find(b); it != where_.end()) {
      cached_ -= it->second->second.size();
      free_.push_back(std::move(it->second->second));
      lru_.erase(it->second);
      where_.erase(it);
    }
  }

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
    if (filters_.usable) {  // decoded here, so that every chunk's size is checked as load_many checks it
      load_many(&b, 1);
      return lru_.front().second.data();
    }
    const std::int64_t first = b * block_rows_, rows = std::min(block_rows_, split_.rows - first);
    const std::size_t bytes = static_cast<std::size_t>(rows * features_ * elem_bytes_);
    slot(b, bytes);

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

  // A cache entry of `bytes` for block b, most recently used, making room first.
  unsigned char* slot(std::int64_t b, std::size_t bytes) {
    while (!lru_.empty() && cached_ + bytes > cache_bytes_) {
      cached_ -= lru_.back().second.size();
      where_.erase(lru_.back().first);
      free_.push_back(std::move(lru_.back().second));
      lru_.pop_back();
    }
    // Buffers are reused, never handed back to malloc, so the process holds the
    // cache's size and not that plus whatever a fragmented heap keeps.
    std::vector<unsigned char> buf;
    if (!free_.empty()) {
      buf = std::move(free_.back());
      free_.pop_back();
    }
    buf.resize(bytes);
    lru_.emplace_front(b, std::move(buf));
    where_[b] = lru_.begin();
    cached_ += bytes;
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
  bool chunked_ = false;
  ChunkFilters filters_;  // usable: blocks may be decoded outside HDF5 (load_many)
  h5::Id file_, x_;
  float lut_[256] = {};
  std::vector<std::int32_t> labels_;
  // Least recently used first at the back.
  std::list<std::pair<std::int64_t, std::vector<unsigned char>>> lru_;
  std::unordered_map<std::int64_t, decltype(lru_)::iterator> where_;
  std::vector<std::vector<unsigned char>> free_;  // buffers of evicted or forgotten blocks
  std::size_t cached_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- BatchReader

std::string ReaderPlan::describe() const {
  if (in_memory) return "training split " + format_bytes(split_bytes) + " read into memory (budget " + format_bytes(budget) + ")";
  return "training split " + format_bytes(split_bytes) + " streamed from the file in windows of " + std::to_string(window_blocks) +
         " blocks of " + std::to_string(block_rows) + " rows (budget " + format_bytes(budget) + ")";
}

namespace {

// Every block costs one H5Dread (~0.05-0.25 ms of HDF5 bookkeeping): blocks of
// fewer rows and fewer bytes than these make reading cost more than training. A
// split larger than kLargeContiguousBytes stored unchunked is read 64 rows at a time.
constexpr std::int64_t kSmallBlockRows = 16, kSmallBlockBytes = 16 << 10;
constexpr std::int64_t kLargeContiguousBytes = std::int64_t{256} << 20;

ReaderPlan make_plan(const SplitFile& f, std::int64_t n, std::int64_t batch, std::int64_t memory) {
  ReaderPlan p;
  p.budget = memory > 0 ? memory : default_data_memory();
  p.block_rows = f.block_rows();
  p.split_bytes = n * f.row_bytes();
  p.in_memory = p.split_bytes <= p.budget;
  if (!p.in_memory) {
    // Two windows live at once (the one training, the one being read), and a
    // window holds at least a batch, so a batch spans at most two windows.
    const std::int64_t block_bytes = std::max<std::int64_t>(1, p.block_rows * f.row_bytes());
    const std::int64_t min_blocks = (batch + p.block_rows - 1) / p.block_rows;
    p.window_blocks = std::max(min_blocks, p.budget / (2 * block_bytes) - 1);
  }
  return p;
}

std::string chunking_warning(const SplitFile& f) {
  const std::int64_t block_bytes = f.block_rows() * f.row_bytes();
  const std::int64_t split_bytes = f.split().rows * f.row_bytes();
  if (f.chunked() && f.block_rows() < kSmallBlockRows && block_bytes < kSmallBlockBytes && f.split().rows > f.block_rows())
    return f.path() + ": the training rows are stored in chunks of " + std::to_string(f.block_rows()) + " row" +
           (f.block_rows() == 1 ? "" : "s") + " (" + format_bytes(block_bytes) +
           "): every batch costs one read per chunk it touches; re-import it (ae-import writes chunks of ~256 KiB) "
           "for full speed";
  if (!f.chunked() && split_bytes > kLargeContiguousBytes)
    return f.path() + ": the training rows (" + format_bytes(split_bytes) +
           ") are stored unchunked, so they are read 64 rows at a time; re-import it (ae-import writes chunks of "
           "~256 KiB) for full speed";
  return {};
}

}  // namespace

struct BatchReader::Impl {
  SplitFile file;
  std::int64_t batch, n;
  ReaderOptions opt;
  ReaderPlan plan;
  std::string warning;
  std::vector<std::int64_t> order;
  std::int64_t cursor = 0, epoch = -1;
  std::vector<std::pair<std::int64_t, std::int64_t>> sorted;  // (row, position in batch)
  std::vector<std::int64_t> rows, dest;
  // Streaming: the epoch's blocks in the order they are needed, and how many of
  // them have been read ahead.
  std::vector<std::int64_t> block_seq;
  std::vector<std::int64_t> window_end;  // epoch position where each window ends
  std::size_t ahead = 0, forgotten = 0;  // blocks of block_seq read ahead, and dropped after their window

  void plan_windows() {
    window_end.clear();
    std::int64_t pos = 0;
    for (std::size_t i = 0; i < block_seq.size(); ++i) {
      pos += std::min(plan.block_rows, n - block_seq[i] * plan.block_rows);
      if ((i + 1) % static_cast<std::size_t>(plan.window_blocks) == 0 || i + 1 == block_seq.size()) window_end.push_back(pos);
    }
  }

  // Prefetch: at most one read in flight, into `spare`, for batch `pending`.
  tbb::task_group tasks;
  Batch spare;
  std::int64_t pending = -1;
  std::exception_ptr error;

  Impl(const std::string& path, const std::string& split, std::int64_t b, ReaderOptions o)
      : file(path, split, 0, o.feed), batch(b), opt(o) {
    n = file.split().rows;
    if (opt.limit > 0) n = std::min(n, opt.limit);
    plan = make_plan(file, n, batch, opt.memory);
    warning = chunking_warning(file);
    const std::int64_t block_bytes = file.block_rows() * file.row_bytes();
    if (plan.in_memory) {
      file.set_capacity(static_cast<std::size_t>(plan.split_bytes + block_bytes));
      std::vector<std::int64_t> all;
      for (std::int64_t blk = 0; blk * file.block_rows() < n; ++blk) all.push_back(blk);
      file.load_many(all.data(), all.size());  // file order, once
    } else {
      file.set_capacity(static_cast<std::size_t>((2 * plan.window_blocks + 2) * block_bytes));
    }
  }
  ~Impl() { drain(); }

  std::int64_t batches() const { return opt.drop_last ? n / batch : (n + batch - 1) / batch; }

  void drain() {
    if (pending >= 0) {
      tasks.wait();
      aeg::detail::TaskHandoff::joined();
    }
    pending = -1;
    error = nullptr;
  }

  void read(std::int64_t k, Batch& b) {
    const std::int64_t start = k * batch, whole = std::min(batch, n - start);
    const auto [skip, m] = opt.part ? opt.part(whole) : std::pair<std::int64_t, std::int64_t>(0, whole);
    if (skip < 0 || m < 0 || skip + m > whole)
      throw std::logic_error("BatchReader: a part [" + std::to_string(skip) + ", +" + std::to_string(m) +
                             ") of a batch of " + std::to_string(whole) + " rows");
    const std::int64_t begin = start + skip;
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
    read_ahead(start + whole);
  }

  // Streaming: after a batch ending at epoch position `done`, read the blocks of
  // the window after the current one, spread over the current window's batches
  // (as many blocks as a batch uses rows, and one more), never past that window.
  void read_ahead(std::int64_t done) {
    if (plan.in_memory || block_seq.empty()) return;
    // The window the next batch starts in.
    const auto window = static_cast<std::int64_t>(std::upper_bound(window_end.begin(), window_end.end(), done) - window_end.begin());
    const std::size_t limit = std::min(block_seq.size(), static_cast<std::size_t>((window + 2) * plan.window_blocks));
    const std::size_t per_batch = static_cast<std::size_t>((batch + plan.block_rows - 1) / plan.block_rows + 1);
    // Everything the next batch needs (its window) first, then this batch's share of the following one.
    const std::size_t must = std::min(block_seq.size(), static_cast<std::size_t>((window + 1) * plan.window_blocks));
    // The windows before the next batch's are done: drop their blocks, so that the
    // cache (two windows) never evicts a block read ahead before it is used.
    const std::size_t done_blocks = std::min(block_seq.size(), static_cast<std::size_t>(window * plan.window_blocks));
    for (; forgotten < done_blocks; ++forgotten)
      file.forget(block_seq[forgotten]);
    const std::size_t target = std::min(limit, std::max(must, ahead + per_batch));
    if (ahead < target) file.load_many(block_seq.data() + ahead, target - ahead);
    ahead = std::max(ahead, target);
  }

  void prefetch(std::int64_t k) {
    try {
      h5::quiet();
      read(k, spare);
    } catch (...) {
      error = std::current_exception();
    }
  }

  // The prefetch task. oneTBB copies it into the task it spawns, the last thing the
  // spawner writes before a worker may run it, so that copy is where the hand-off to
  // ThreadSanitizer is released (engine/kernels/tsan_handoff.hpp); a lambda could not say so.
  struct Prefetch {
    Impl* m;
    std::int64_t k;
    Prefetch(Impl* impl, std::int64_t batch_index) : m(impl), k(batch_index) {}
    Prefetch(const Prefetch& o) : m(o.m), k(o.k) { aeg::detail::TaskHandoff::spawn(); }
    void operator()() const {
      aeg::detail::TaskHandoff::enter();
      m->prefetch(k);
      aeg::detail::TaskHandoff::leave();
    }
  };

  void launch(std::int64_t k) {
    pending = k;
    tasks.run(Prefetch(this, k));
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
  m.block_seq.clear();
  m.ahead = m.forgotten = 0;
  if (m.opt.shuffle && m.plan.in_memory) {
    m.order = epoch_order(m.n, m.opt.seed, epoch);
  } else if (m.opt.shuffle) {
    m.order = window_order(m.n, m.plan.block_rows, m.plan.window_blocks, m.opt.seed, epoch, &m.block_seq);
  } else {
    m.order.resize(static_cast<std::size_t>(m.n));
    for (std::int64_t i = 0; i < m.n; ++i) m.order[static_cast<std::size_t>(i)] = i;
    if (!m.plan.in_memory)  // file order: the blocks in order
      for (std::int64_t b = 0; b * m.plan.block_rows < m.n; ++b) m.block_seq.push_back(b);
  }
  m.plan_windows();
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
    aeg::detail::TaskHandoff::joined();
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

void BatchReader::skip(std::int64_t batches) {
  Impl& m = *impl_;
  if (batches <= 0) return;
  if (m.epoch < 0) start_epoch(0);
  m.drain();
  m.cursor = std::min(m.batches(), m.cursor + batches);
  if (m.opt.prefetch && m.cursor < m.batches()) m.launch(m.cursor);
}

std::int64_t BatchReader::features() const { return impl_->file.features(); }
std::int64_t BatchReader::size() const { return impl_->n; }
std::int64_t BatchReader::batch_size() const { return impl_->batch; }
std::int64_t BatchReader::batches_per_epoch() const { return impl_->batches(); }
bool BatchReader::has_labels() const { return impl_->file.split().labels; }
const DatasetInfo& BatchReader::info() const { return impl_->file.info(); }
const ReaderPlan& BatchReader::plan() const { return impl_->plan; }
const std::string& BatchReader::layout_warning() const { return impl_->warning; }

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
