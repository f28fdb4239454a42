#include "io/batch_reader.hpp"

#include <tbb/task_group.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
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

bool is_prime(std::size_t n) {
  if (n < 2) return false;
  for (std::size_t d = 2; d * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}

// One split of one file, open for reading rows. Reads are sorted runs of rows
// (one hyperslab union per call); results are scattered to their destinations.
class SplitFile {
 public:
  SplitFile(const std::string& path, const std::string& split, std::size_t cache_bytes)
      : path_(path), info_(describe(path)), split_(info_.split(split)), xname_("/" + split + "/x"),
        yname_("/" + split + "/y") {
    features_ = info_.features;
    file_ = h5::open_file(path);
    const std::string at = path + ": " + xname_;
    // Chunk cache sized from the chunk shape: ~10 slots per chunk that fits, prime.
    std::size_t chunk_bytes = 0;
    {
      h5::Id x = h5::dataset(H5Dopen2(file_, xname_.c_str(), H5P_DEFAULT), at);
      h5::Id dcpl = h5::plist(H5Dget_create_plist(x), at);
      if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        std::vector<hsize_t> c(static_cast<std::size_t>(info_.sample_shape.size() + 1));
        H5Pget_chunk(dcpl, static_cast<int>(c.size()), c.data());
        chunk_bytes = (split_.dtype == DType::uint8 ? 1 : 4);
        for (auto v : c) chunk_bytes *= v;
      }
    }
    h5::Id dapl = h5::plist(H5Pcreate(H5P_DATASET_ACCESS), at);
    if (chunk_bytes > 0) {
      std::size_t slots = std::max<std::size_t>(521, 10 * (cache_bytes / chunk_bytes + 1)) | 1;
      while (!is_prime(slots)) slots += 2;
      h5::check(H5Pset_chunk_cache(dapl, slots, cache_bytes, 0.75), at + ": chunk cache");
    }
    x_ = h5::dataset(H5Dopen2(file_, xname_.c_str(), dapl), at);
    if (split_.labels) y_ = h5::dataset(H5Dopen2(file_, yname_.c_str(), H5P_DEFAULT), path + ": " + yname_);
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
    if (m == 0) return;
    select(x_, rows, m);
    std::vector<hsize_t> mdims{static_cast<hsize_t>(m * features_)};
    h5::Id ms = h5::space(H5Screate_simple(1, mdims.data(), nullptr), path_);
    const std::string at = path_ + ": " + xname_;
    const std::size_t count = static_cast<std::size_t>(m * features_);
    if (split_.dtype == DType::uint8) {
      raw_u8_.resize(count);
      h5::check(H5Dread(x_, H5T_NATIVE_UINT8, ms, fspace_, H5P_DEFAULT, raw_u8_.data()), at + ": read");
      for (std::int64_t j = 0; j < m; ++j) {
        const std::uint8_t* s = raw_u8_.data() + j * features_;
        float* d = x + dest[j] * features_;
        std::uint8_t hi = 0;
        for (std::int64_t f = 0; f < features_; ++f) {
          d[f] = lut_[s[f]];
          hi = std::max(hi, s[f]);
        }
        if (hi > split_.scale)
          throw DataError(at + " row " + std::to_string(rows[j]) + " has value " + std::to_string(hi) +
                          " > scale " + num(split_.scale) +
                          ", expected values in [0, 1] after scaling");
      }
    } else {
      raw_f32_.resize(count);
      h5::check(H5Dread(x_, H5T_NATIVE_FLOAT, ms, fspace_, H5P_DEFAULT, raw_f32_.data()), at + ": read");
      const float scale = static_cast<float>(split_.scale);
      for (std::int64_t j = 0; j < m; ++j) {
        const float* s = raw_f32_.data() + j * features_;
        float* d = x + dest[j] * features_;
        bool ok = true;
        for (std::int64_t f = 0; f < features_; ++f) {
          const float v = scale == 1.0f ? s[f] : s[f] / scale;
          ok &= (v >= 0.0f) & (v <= 1.0f);  // false for NaN
          d[f] = v;
        }
        if (!ok) {
          std::int64_t f = 0;
          while (f < features_ && d[f] >= 0.0f && d[f] <= 1.0f) ++f;
          throw DataError(at + " row " + std::to_string(rows[j]) + " column " + std::to_string(f) +
                          " has value " + num(s[f]) +
                          (scale == 1.0f ? "" : " (scale " + num(split_.scale) + ")") +
                          ", expected a number in [0, 1] after scaling");
        }
      }
    }
    if (y && split_.labels) {
      select(y_, rows, m);
      raw_y_.resize(static_cast<std::size_t>(m));
      const hsize_t ym = static_cast<hsize_t>(m);
      h5::Id yms = h5::space(H5Screate_simple(1, &ym, nullptr), path_);
      h5::check(H5Dread(y_, H5T_NATIVE_INT32, yms, fspace_, H5P_DEFAULT, raw_y_.data()),
                path_ + ": " + yname_ + ": read");
      for (std::int64_t j = 0; j < m; ++j) y[dest[j]] = raw_y_[static_cast<std::size_t>(j)];
    }
  }

 private:
  // fspace_ := the dataset's space with the runs of consecutive rows selected.
  void select(hid_t dset, const std::int64_t* rows, std::int64_t m) {
    fspace_ = h5::space(H5Dget_space(dset), path_);
    const int rank = H5Sget_simple_extent_ndims(fspace_);
    std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0), count(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(fspace_, count.data(), nullptr);
    bool first = true;
    for (std::int64_t j = 0; j < m;) {
      std::int64_t e = j + 1;
      while (e < m && rows[e] == rows[e - 1] + 1) ++e;
      start[0] = static_cast<hsize_t>(rows[j]);
      count[0] = static_cast<hsize_t>(e - j);
      h5::check(H5Sselect_hyperslab(fspace_, first ? H5S_SELECT_SET : H5S_SELECT_OR, start.data(),
                                    nullptr, count.data(), nullptr),
                path_ + ": select rows");
      first = false;
      j = e;
    }
  }

  std::string path_;
  DatasetInfo info_;
  SplitInfo split_;
  std::string xname_, yname_;
  std::int64_t features_ = 0;
  h5::Id file_, x_, y_, fspace_;
  float lut_[256] = {};
  std::vector<std::uint8_t> raw_u8_;
  std::vector<float> raw_f32_;
  std::vector<std::int32_t> raw_y_;
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
      : file(path, split, o.cache_bytes), batch(b), opt(o) {
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

SplitArrays load_split(const std::string& path, const std::string& split, std::int64_t limit) {
  h5::quiet();
  SplitFile file(path, split, 8u << 20);
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
