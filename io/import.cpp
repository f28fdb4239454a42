#include "io/import.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/rng.hpp"
#include "engine/tensor.hpp"
#include "io/idx.hpp"

namespace aeg::io {

using aeg::to_string;  // Shape printing, beside to_string(DType)
namespace {

constexpr std::int64_t kBlockRows = 4096;

ImportReport report(const std::string& out) {
  ImportReport r;
  r.info = describe(out);
  r.file_bytes = std::filesystem::file_size(out);
  return r;
}

// ------------------------------------------------------------------ IDX

struct IdxSplit {
  Idx images, labels;
  bool has_labels = false;
};

IdxSplit load_idx_split(const std::string& images, const std::string& labels) {
  IdxSplit s;
  s.images = read_idx(images);
  const auto& d = s.images.dims;
  if (d.size() != 2 && d.size() != 3)
    throw DataError(images + ": IDX rank " + std::to_string(d.size()) +
                    ", expected 3 (N x H x W images) or 2 (N x features)");
  if (!labels.empty()) {
    s.labels = read_idx(labels);
    s.has_labels = true;
    if (s.labels.dims.size() != 1)
      throw DataError(labels + ": IDX rank " + std::to_string(s.labels.dims.size()) +
                      ", expected 1 (one label per image)");
    if (s.labels.dims[0] != d[0])
      throw DataError(labels + ": " + std::to_string(s.labels.dims[0]) + " labels, expected " +
                      std::to_string(d[0]) + " (one per image in " + images + ")");
  }
  return s;
}

void append_idx(DatasetWriter& w, const std::string& split, const IdxSplit& s, std::int64_t features) {
  const std::int64_t n = s.images.dims[0];
  std::vector<std::int32_t> y;
  for (std::int64_t r = 0; r < n; r += kBlockRows) {
    const std::int64_t m = std::min(kBlockRows, n - r);
    std::span<const std::uint8_t> rows(s.images.data.data() + r * features,
                                       static_cast<std::size_t>(m * features));
    if (s.has_labels) {
      y.assign(s.labels.data.begin() + r, s.labels.data.begin() + r + m);
      w.append(split, rows, y);
    } else {
      w.append(split, rows);
    }
  }
}

// ------------------------------------------------------------------ CSV

void split_fields(const std::string& line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t b = 0;
  for (;;) {
    std::size_t e = line.find(',', b);
    if (e == std::string::npos) e = line.size();
    std::size_t s = b, t = e;
    while (s < t && (line[s] == ' ' || line[s] == '\t')) ++s;
    while (t > s && (line[t - 1] == ' ' || line[t - 1] == '\t' || line[t - 1] == '\r')) --t;
    out.emplace_back(line.data() + s, t - s);
    if (e == line.size()) break;
    b = e + 1;
  }
}

bool parse_number(std::string_view f, double& v) {
  if (f.empty()) return false;
  if (f[0] == '+') f.remove_prefix(1);
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  return ec == std::errc() && p == f.data() + f.size();
}

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

struct CsvStats {
  std::int64_t columns = -1;
  double min = std::numeric_limits<double>::infinity(), max = -min;
  bool all_integer = true;
  std::string first_negative;  // "file:line" of the first negative value
};

// Calls row(values, where) for every data line; detects and skips a header.
template <class Row>
void for_each_csv_row(const std::string& path, std::int64_t& columns, Row&& row) {
  std::ifstream in(path);
  if (!in) throw DataError(path + ": " + (std::filesystem::exists(path) ? "cannot open" : "no such file"));
  std::string line;
  std::vector<std::string_view> fields;
  std::vector<double> values;
  std::int64_t lineno = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++lineno;
    if (blank(line)) continue;
    split_fields(line, fields);
    values.resize(fields.size());
    std::size_t bad = fields.size();
    for (std::size_t i = 0; i < fields.size() && bad == fields.size(); ++i)
      if (!parse_number(fields[i], values[i])) bad = i;
    const std::string where = path + ":" + std::to_string(lineno);
    if (bad != fields.size()) {
      if (first) {  // a header line
        first = false;
        continue;
      }
      throw DataError(where + ": column " + std::to_string(bad) + " is '" + std::string(fields[bad]) +
                      "', expected a number");
    }
    first = false;
    if (columns < 0) columns = static_cast<std::int64_t>(values.size());
    if (static_cast<std::int64_t>(values.size()) != columns)
      throw DataError(where + ": " + std::to_string(values.size()) + " columns, expected " +
                      std::to_string(columns) + " like the first data line");
    row(values, where);
  }
  if (in.bad()) throw DataError(path + ": read failed");
}

std::int64_t scan_csv(const std::string& path, int label_column, CsvStats& st) {
  std::int64_t rows = 0;
  for_each_csv_row(path, st.columns, [&](const std::vector<double>& v, const std::string& where) {
    if (label_column >= static_cast<int>(v.size()))
      throw DataError(where + ": label column " + std::to_string(label_column) + " but only " +
                      std::to_string(v.size()) + " columns");
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double x = v[i];
      if (!std::isfinite(x))
        throw DataError(where + ": column " + std::to_string(i) + " is " + std::to_string(x) +
                        ", expected a finite number");
      if (static_cast<int>(i) == label_column) {
        if (x != std::floor(x) || std::fabs(x) > 2147483647.0)
          throw DataError(where + ": label column " + std::to_string(i) + " is " + std::to_string(x) +
                          ", expected an integer label");
        continue;
      }
      st.min = std::min(st.min, x);
      st.max = std::max(st.max, x);
      if (x != std::floor(x)) st.all_integer = false;
      if (x < 0 && st.first_negative.empty()) st.first_negative = where + " column " + std::to_string(i);
    }
    ++rows;
  });
  if (rows == 0) throw DataError(path + ": no data lines, expected one sample per line");
  return rows;
}

}  // namespace

IdxSource fashion_mnist_files() {
  const std::string d = "/usr/share/datasets/fashion-mnist/";
  return {d + "train-images-idx3-ubyte.gz", d + "train-labels-idx1-ubyte.gz",
          d + "t10k-images-idx3-ubyte.gz", d + "t10k-labels-idx1-ubyte.gz"};
}

ImportReport import_idx(const IdxSource& src, const std::string& out, const std::string& source) {
  if (src.train_images.empty()) throw std::invalid_argument("import_idx: no training images given");
  const IdxSplit train = load_idx_split(src.train_images, src.train_labels);
  IdxSplit test;
  const bool has_test = !src.test_images.empty();
  if (has_test) {
    test = load_idx_split(src.test_images, src.test_labels);
    if (test.has_labels != train.has_labels)
      throw std::invalid_argument("import_idx: give labels for both splits or for neither");
    const Shape a(train.images.dims.begin() + 1, train.images.dims.end());
    const Shape b(test.images.dims.begin() + 1, test.images.dims.end());
    if (a != b)
      throw DataError(src.test_images + ": samples of shape " + to_string(b) + ", expected " +
                      to_string(a) + " like " + src.train_images);
  }
  const auto& d = train.images.dims;
  DatasetFormat fmt;
  const std::int64_t features = d.size() == 3 ? d[1] * d[2] : d[1];
  fmt.sample_shape = {features};
  if (d.size() == 3) fmt.image_shape = {1, d[1], d[2]};
  fmt.dtype = DType::uint8;
  fmt.scale = 255;
  fmt.labels = train.has_labels;
  fmt.labels_uint8 = true;
  fmt.source = source.empty() ? "idx: " + src.train_images : source;
  {
    DatasetWriter w(out, fmt);
    append_idx(w, "train", train, features);
    if (has_test) append_idx(w, "test", test, features);
    w.finish();
  }
  return report(out);
}

ImportReport import_fashion_mnist(const std::string& out) {
  return import_idx(fashion_mnist_files(), out,
                    "Fashion-MNIST (Debian dataset-fashion-mnist, /usr/share/datasets/fashion-mnist)");
}

ImportReport import_csv(const CsvSource& src, const std::string& out) {
  if (src.train.empty()) throw std::invalid_argument("import_csv: no CSV file given");
  if (!(src.test_fraction >= 0 && src.test_fraction < 1))
    throw std::invalid_argument("import_csv: test fraction must be in [0, 1)");
  if (!src.test.empty() && src.test_fraction > 0)
    throw std::invalid_argument("import_csv: give a test CSV or a test fraction, not both");
  if (src.label_column < -1) throw std::invalid_argument("import_csv: label column must be >= 0 (or -1 for none)");

  CsvStats st;
  const std::int64_t n_train = scan_csv(src.train, src.label_column, st);
  const std::int64_t n_test_file = src.test.empty() ? 0 : scan_csv(src.test, src.label_column, st);
  if (!st.first_negative.empty())
    throw DataError(st.first_negative + ": negative value, expected values >= 0 (data are read as [0, 1])");
  const std::int64_t features = st.columns - (src.label_column >= 0 ? 1 : 0);
  if (features <= 0) throw DataError(src.train + ": no feature columns besides the label");

  DatasetFormat fmt;
  fmt.sample_shape = {features};
  fmt.image_shape = src.image_shape;
  if (!fmt.image_shape.empty() && (fmt.image_shape.size() != 3 || numel(fmt.image_shape) != features))
    throw std::invalid_argument("import_csv: image shape " + to_string(fmt.image_shape) + " does not fit " +
                                std::to_string(features) + " feature columns");
  if (st.max > 1 && st.all_integer && st.max <= 255) {
    fmt.dtype = DType::uint8;
    fmt.scale = 255;
  } else {
    fmt.dtype = DType::float32;
    // float(max): stored values are floats, so the scale must not round below them.
    fmt.scale = std::max(1.0, static_cast<double>(static_cast<float>(st.max)));
  }
  fmt.labels = src.label_column >= 0;
  fmt.source = "csv: " + src.train + (src.test.empty() ? "" : " + " + src.test);

  // Which rows of `train` go to the test split: a seeded random subset.
  std::vector<char> to_test(static_cast<std::size_t>(n_train), 0);
  const auto n_test = static_cast<std::int64_t>(std::llround(src.test_fraction * static_cast<double>(n_train)));
  if (n_test > 0) {
    if (n_test >= n_train) throw DataError(src.train + ": test fraction leaves no training rows");
    std::vector<std::int64_t> perm(static_cast<std::size_t>(n_train));
    for (std::int64_t i = 0; i < n_train; ++i) perm[static_cast<std::size_t>(i)] = i;
    Rng rng(src.seed);
    for (std::int64_t i = n_train - 1; i > 0; --i)
      std::swap(perm[static_cast<std::size_t>(i)], perm[rng.below(static_cast<std::uint64_t>(i + 1))]);
    for (std::int64_t i = 0; i < n_test; ++i) to_test[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = 1;
  }

  DatasetWriter w(out, fmt);
  struct Block {
    std::vector<std::uint8_t> u8;
    std::vector<float> f32;
    std::vector<std::int32_t> y;
    std::int64_t rows = 0;
  };
  Block blocks[2];
  auto flush = [&](int which) {
    Block& b = blocks[which];
    if (b.rows == 0) return;
    const std::string split = which ? "test" : "train";
    if (fmt.dtype == DType::uint8) w.append(split, std::span<const std::uint8_t>(b.u8), b.y);
    else w.append(split, std::span<const float>(b.f32), b.y);
    b.u8.clear();
    b.f32.clear();
    b.y.clear();
    b.rows = 0;
  };
  auto add = [&](int which, const std::vector<double>& v) {
    Block& b = blocks[which];
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (static_cast<int>(i) == src.label_column) b.y.push_back(static_cast<std::int32_t>(v[i]));
      else if (fmt.dtype == DType::uint8) b.u8.push_back(static_cast<std::uint8_t>(v[i]));
      else b.f32.push_back(static_cast<float>(v[i]));
    }
    if (++b.rows == kBlockRows) flush(which);
  };
  std::int64_t columns = -1, row = 0;
  for_each_csv_row(src.train, columns, [&](const std::vector<double>& v, const std::string&) {
    add(to_test[static_cast<std::size_t>(row++)] ? 1 : 0, v);
  });
  if (!src.test.empty() && n_test_file > 0) {
    for_each_csv_row(src.test, columns, [&](const std::vector<double>& v, const std::string&) { add(1, v); });
  }
  flush(0);
  flush(1);
  w.finish();
  return report(out);
}

}  // namespace aeg::io
