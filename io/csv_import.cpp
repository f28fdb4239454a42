// import_csv (io/import.hpp): a first pass checks every cell and learns the
// shape and value type, a second writes the rows (and fits the scaling on the
// training rows as they go by).
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/rng.hpp"
#include "engine/tensor.hpp"
#include "io/csv.hpp"
#include "io/import.hpp"

namespace aeg::io {

using aeg::to_string;  // Shape printing, beside to_string(DType)
namespace {

constexpr std::int64_t kBlockRows = 4096;  // rows per append

// Numbers in messages: "3.5", "nan", "-inf".
std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

struct CsvShape {
  std::int64_t columns = -1;
  std::vector<std::string> header;
  bool bytes = true;  // every feature an integer in 0..255: stored as uint8
};

// The label column's index: given, or the header cell named `name`.
int resolve_label(const CsvSource& src, const CsvShape& shape) {
  if (src.label_name.empty()) {
    if (src.label_column >= shape.columns)
      throw DataError(src.train + ": label column " + std::to_string(src.label_column) + " is out of range: the file has " +
                      std::to_string(shape.columns) + " columns (0-" + std::to_string(shape.columns - 1) + ")");
    return src.label_column;
  }
  if (shape.header.empty())
    throw DataError(src.train + ": label column '" + src.label_name + "' is named, but the file has no header line");
  std::string names;
  for (std::size_t i = 0; i < shape.header.size(); ++i) {
    if (shape.header[i] == src.label_name) {
      if (static_cast<std::int64_t>(shape.header.size()) != shape.columns)
        throw DataError(src.train + ": the header has " + std::to_string(shape.header.size()) + " cells but the rows have " +
                        std::to_string(shape.columns) + " columns, so its names do not say which column is '" +
                        src.label_name + "': give --label-column as a number");
      return static_cast<int>(i);
    }
    names += (i ? ", " : "") + shape.header[i];
  }
  throw DataError(src.train + ": no column named '" + src.label_name + "' in the header (" + names + ")");
}

// Pass 1 over one file: every cell a number, every row as wide, labels integers.
std::int64_t scan(const std::string& path, const CsvSource& src, CsvShape& shape, int& label) {
  CsvReader in(path, src.delimiter);
  std::vector<double> v;
  std::int64_t rows = 0;
  while (in.next(v)) {
    if (rows == 0) {
      if (shape.columns < 0) {  // the training file sets the shape
        shape.columns = in.columns();
        shape.header = in.header();
        label = src.label_column >= 0 || !src.label_name.empty() ? resolve_label(src, shape) : -1;
      } else if (in.columns() != shape.columns) {
        throw DataError(in.where() + ": " + std::to_string(in.columns()) + " columns, expected " +
                        std::to_string(shape.columns) + " like " + src.train);
      }
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double x = v[i];
      if (!std::isfinite(x))
        throw DataError(in.where() + ": " + in.column(static_cast<std::int64_t>(i)) + " is " + num(x) +
                        ", expected a finite number");
      if (static_cast<int>(i) == label) {
        if (x != std::floor(x) || std::fabs(x) > 2147483647.0)
          throw DataError(in.where() + ": label " + in.column(static_cast<std::int64_t>(i)) + " is " + num(x) +
                          ", expected an integer label");
        // Labels are class numbers (a conditional model's one-hot index, --normal-class,
        // the colours of a code plot): a negative one is a different labelling scheme.
        if (x < 0)
          throw DataError(in.where() + ": label " + in.column(static_cast<std::int64_t>(i)) + " is " + num(x) +
                          ", expected a class number 0, 1, 2, ... (renumber the classes from 0, e.g. -1 -> 0 and 1 -> 1)");
        continue;
      }
      if (!(x == std::floor(x) && x >= 0 && x <= 255)) shape.bytes = false;
    }
    ++rows;
  }
  if (rows == 0) throw DataError(path + ": no data lines, expected one sample per line");
  return rows;
}

// Which rows of the training file go to the test split: a seeded random subset.
std::vector<char> test_rows(const CsvSource& src, std::int64_t n_train) {
  std::vector<char> to_test(static_cast<std::size_t>(n_train), 0);
  const auto n_test = static_cast<std::int64_t>(std::llround(src.test_fraction * static_cast<double>(n_train)));
  if (n_test == 0) return to_test;
  if (n_test >= n_train) throw DataError(src.train + ": test fraction leaves no training rows");
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n_train));
  for (std::int64_t i = 0; i < n_train; ++i) perm[static_cast<std::size_t>(i)] = i;
  Rng rng(src.seed);
  for (std::int64_t i = n_train - 1; i > 0; --i)
    std::swap(perm[static_cast<std::size_t>(i)], perm[rng.below(static_cast<std::uint64_t>(i + 1))]);
  for (std::int64_t i = 0; i < n_test; ++i) to_test[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = 1;
  return to_test;
}

// Rows gathered per split and appended in blocks.
class SplitBlocks {
 public:
  SplitBlocks(DatasetWriter& w, const DatasetFormat& fmt, int label) : w_(w), bytes_(fmt.dtype == DType::uint8), label_(label) {}
  // v: one CSV row; features: its feature values as stored (float32), for the scaling fit.
  void add(int which, const std::vector<double>& v, std::vector<double>& features) {
    Block& b = blocks_[which];
    features.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (static_cast<int>(i) == label_) {
        b.y.push_back(static_cast<std::int32_t>(v[i]));
        continue;
      }
      if (bytes_) b.u8.push_back(static_cast<std::uint8_t>(v[i]));
      else b.f32.push_back(static_cast<float>(v[i]));
      features.push_back(static_cast<float>(v[i]));
    }
    if (++b.rows == kBlockRows) flush(which);
  }
  void flush(int which) {
    Block& b = blocks_[which];
    if (b.rows == 0) return;
    const std::string split = which ? "test" : "train";
    if (bytes_) w_.append(split, std::span<const std::uint8_t>(b.u8), b.y);
    else w_.append(split, std::span<const float>(b.f32), b.y);
    b = {};
  }

 private:
  struct Block {
    std::vector<std::uint8_t> u8;
    std::vector<float> f32;
    std::vector<std::int32_t> y;
    std::int64_t rows = 0;
  };
  DatasetWriter& w_;
  bool bytes_;
  int label_;
  Block blocks_[2];
};

}  // namespace

ImportReport import_csv(const CsvSource& src, const std::string& out) {
  if (src.train.empty()) throw std::invalid_argument("import_csv: no CSV file given");
  if (!(src.test_fraction >= 0 && src.test_fraction < 1))
    throw std::invalid_argument("import_csv: test fraction must be in [0, 1)");
  if (!src.test.empty() && src.test_fraction > 0)
    throw std::invalid_argument("import_csv: give a test CSV or a test fraction, not both");
  if (src.label_column < -1) throw std::invalid_argument("import_csv: label column must be >= 0 (or -1 for none)");
  if (src.label_column >= 0 && !src.label_name.empty())
    throw std::invalid_argument("import_csv: give the label column by number or by name, not both");

  CsvShape shape;
  int label = -1;
  const std::int64_t n_train = scan(src.train, src, shape, label);
  if (!src.test.empty()) scan(src.test, src, shape, label);
  const std::int64_t features = shape.columns - (label >= 0 ? 1 : 0);
  if (features <= 0) throw DataError(src.train + ": no feature columns besides the label");

  DatasetFormat fmt;
  fmt.sample_shape = {features};
  fmt.image_shape = src.image_shape;
  if (!fmt.image_shape.empty() && (fmt.image_shape.size() != 3 || numel(fmt.image_shape) != features))
    throw std::invalid_argument("import_csv: image shape " + to_string(fmt.image_shape) + " does not fit " +
                                std::to_string(features) + " feature columns");
  fmt.dtype = shape.bytes ? DType::uint8 : DType::float32;
  fmt.scale = 1;  // the values as they are, never divided by anything
  fmt.labels = label >= 0;
  if (!src.class_names.empty() && !fmt.labels)
    throw std::invalid_argument("import_csv: class names given, but no label column");
  fmt.class_names = src.class_names;
  fmt.source = "csv: " + src.train + (src.test.empty() ? "" : " + " + src.test) +
               (src.scale == ScaleMethod::None ? "" : "; /scaling: " + to_string(src.scale) + " on the training rows");

  const std::vector<char> to_test = test_rows(src, n_train);
  DatasetWriter w(out, fmt);
  SplitBlocks blocks(w, fmt, label);
  ScalingFit fit(features);
  std::vector<double> v, row_features;
  {
    CsvReader in(src.train, src.delimiter);
    for (std::int64_t row = 0; in.next(v); ++row) {
      const int which = to_test[static_cast<std::size_t>(row)] ? 1 : 0;
      blocks.add(which, v, row_features);
      if (which == 0) fit.add(row_features.data());  // statistics from the training rows only
    }
  }
  if (!src.test.empty()) {
    CsvReader in(src.test, src.delimiter);
    while (in.next(v)) blocks.add(1, v, row_features);
  }
  blocks.flush(0);
  blocks.flush(1);
  if (src.scale != ScaleMethod::None) w.set_scaling(fit.finish(src.scale));
  w.finish();
  return import_report(out);
}

}  // namespace aeg::io
