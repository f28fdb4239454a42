// Importers into the dataset layout of io/dataset.hpp. Each writes a temp file
// next to `out` and renames it over `out` at the end: a failed import leaves
// nothing behind (and an existing `out` untouched).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/dataset.hpp"

namespace aeg::io {

// IDX files (gzipped or not). Images N x H x W become rows of H*W uint8 values
// (scale 255, image_shape 1, H, W); N x features stay as they are. Label and
// test paths may be empty (no labels / no test split).
struct IdxSource {
  std::string train_images, train_labels, test_images, test_labels;
};

// Fashion-MNIST as installed by the Debian package dataset-fashion-mnist.
IdxSource fashion_mnist_files();

// CSV: one sample per line, comma-separated numbers; a first line with any
// non-numeric field is a header and skipped. Values: all integers in 0..255
// with some > 1 -> uint8, scale 255; all in [0, 1] -> float32; otherwise
// float32 with scale = the largest value. Negative values are an error.
struct CsvSource {
  std::string train;                     // required
  std::string test;                      // second CSV for the test split, or
  double test_fraction = 0;              // a seeded random fraction of `train` (0 = no test split)
  std::uint64_t seed = 0;
  int label_column = -1;                 // 0-based column holding an integer label; -1 = none
  std::vector<std::int64_t> image_shape; // optional C, H, W for the feature columns
};

struct ImportReport {
  DatasetInfo info;            // describe() of the written file
  std::uintmax_t file_bytes = 0;
};

ImportReport import_idx(const IdxSource& src, const std::string& out, const std::string& source = "");
ImportReport import_csv(const CsvSource& src, const std::string& out);
ImportReport import_fashion_mnist(const std::string& out);

}  // namespace aeg::io
