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
  std::vector<std::string> class_names;  // names of labels 0, 1, ... (stored as `class_names`); empty: none
};

// Fashion-MNIST as installed by the Debian package dataset-fashion-mnist, with its ten class names.
IdxSource fashion_mnist_files();
// Fashion-MNIST's class names, label 0 to 9 ("T-shirt/top", "Trouser", ...).
std::vector<std::string> fashion_mnist_class_names();

// CSV (io/csv.hpp; .csv.gz too): one sample per line, a first line with any
// non-numeric cell is a header. Values are kept as they are (uint8 when all are
// integers in 0..255, else float32), whatever their range: any finite value is
// valid data. `scale` fits a per-feature scaling on the training rows only and
// stores it as /scaling (io/scaling.hpp); the stored values stay as they are.
struct CsvSource {
  std::string train;                     // required
  std::string test;                      // second CSV for the test split, or
  double test_fraction = 0;              // a seeded random fraction of `train` (0 = no test split)
  std::uint64_t seed = 0;
  int label_column = -1;                 // 0-based column holding a class number (>= 0); -1 = none
  std::string label_name;                // or the header's name for it
  char delimiter = ',';                  // ' ' = runs of spaces and tabs
  ScaleMethod scale = ScaleMethod::None;
  std::vector<std::int64_t> image_shape; // optional C, H, W for the feature columns
  std::vector<std::string> class_names;  // names of labels 0, 1, ... (needs a label column); empty: none
};

struct ImportReport {
  DatasetInfo info;            // describe() of the written file
  std::uintmax_t file_bytes = 0;
};

// describe() and the size of a file just written.
ImportReport import_report(const std::string& out);

ImportReport import_idx(const IdxSource& src, const std::string& out, const std::string& source = "");
ImportReport import_csv(const CsvSource& src, const std::string& out);
// Stores `class_names` (Fashion-MNIST's ten by default; none when empty).
ImportReport import_fashion_mnist(const std::string& out,
                                  std::vector<std::string> class_names = fashion_mnist_class_names());

}  // namespace aeg::io
