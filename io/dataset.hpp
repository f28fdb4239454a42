// Dataset files (HDF5):
//   /train/x, /test/x   N x features or N x C x H x W; uint8 with a `scale`
//                       attribute (value = stored / scale) or float32 (scale 1
//                       unless the attribute says otherwise); chunked by rows,
//                       shuffle + deflate. uint8 without the attribute (a file
//                       made elsewhere) is read as image bytes, stored / 255, and
//                       the apps say so (assumed_scale_note).
//   /train/y, /test/y   optional integer labels, one per row.
//   root attributes     `source` (text), `image_shape` (C, H, W) for images,
//                       `class_names` (text, one per label value 0, 1, ...) when known.
//   /scaling            optional per-feature affine scaling fitted on the training
//                       split (io/scaling.hpp, io/scaling_h5.hpp): the values stay
//                       as they are, a model trained on the file sees
//                       (value - offset) / scale.
// /test is optional. Any finite value is valid data: what a model needs of the
// values (BCE: [0, 1]) is checked where the model is known (io/batch_reader.hpp).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/error.hpp"
#include "io/scaling.hpp"

namespace aeg::io {

enum class DType { uint8, float32 };
std::string to_string(DType t);

struct SplitInfo {
  bool present = false;
  std::int64_t rows = 0;
  DType dtype = DType::uint8;
  double scale = 1;
  bool scale_given = false;  // the file has a `scale` attribute; without one, uint8 reads as stored / 255
  bool labels = false;
};

struct DatasetInfo {
  std::string path, source;
  std::int64_t features = 0;               // values per sample
  std::vector<std::int64_t> sample_shape;  // shape after N: {features} or {C, H, W}
  std::vector<std::int64_t> image_shape;   // {C, H, W} when the rows are images, else empty
  SplitInfo train, test;
  FeatureScaling scaling;                  // /scaling, empty when the file has none
  std::vector<std::string> class_names;    // the name of label k is class_names[k]; empty when the file has none

  // "train" or "test"; throws DataError if the split is absent or unknown.
  const SplitInfo& split(const std::string& name) const;
};

// Opens and validates the file (types, ranks, label counts, attributes) without
// reading the data. Throws DataError naming the file, the dataset and the expectation.
DatasetInfo describe(const std::string& path);

// What describe() assumed rather than read, for the apps to print: "d.h5: /train/x
// is uint8 without a 'scale' attribute: read as stored / 255 (image bytes) ...";
// empty when the file says everything.
std::string assumed_scale_note(const DatasetInfo& info);

struct DatasetFormat {
  std::vector<std::int64_t> sample_shape;  // {features} or {C, H, W}
  DType dtype = DType::uint8;
  double scale = 0;                        // value = stored / scale; 0 = 255 for uint8, 1 for float32
  bool labels = false;                     // every append then carries one label per row
  bool labels_uint8 = false;               // store labels as uint8 (else int32)
  std::vector<std::int64_t> image_shape;   // {C, H, W} for flat image rows (implied by a 3-D sample_shape)
  std::string source;
  std::vector<std::string> class_names;    // names of labels 0, 1, ... (needs labels); empty: none
  std::int64_t chunk_rows = 0;             // rows per chunk; 0 = about 256 KiB per chunk
  int deflate = 4;                         // 0 = no compression
};

// Incremental writer: append row blocks to "train" / "test" in any order, then
// finish(). Writes "<path>.tmp-<pid>" and renames it over `path` in finish(); if
// finish() is never reached (error, exception) nothing is left behind.
// Appended float values are checked to be finite.
class DatasetWriter {
 public:
  DatasetWriter(const std::string& path, DatasetFormat format);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  // rows.size() must be a multiple of the features; labels: one per row (or empty).
  void append(const std::string& split, std::span<const std::uint8_t> rows,
              std::span<const std::int32_t> labels = {});
  void append(const std::string& split, std::span<const float> rows,
              std::span<const std::int32_t> labels = {});
  std::int64_t rows(const std::string& split) const;
  // Stored as /scaling by finish(); checked against the features.
  void set_scaling(FeatureScaling scaling);
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One split held in memory: fill `u8` or `f32` to match the format's dtype.
struct SplitData {
  std::vector<std::uint8_t> u8;
  std::vector<float> f32;
  std::vector<std::int32_t> labels;
};

// Whole dataset from memory (test may be null).
void write_dataset(const std::string& path, const DatasetFormat& format, const SplitData& train,
                   const SplitData* test = nullptr);

}  // namespace aeg::io
