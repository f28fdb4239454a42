// Per-feature affine scaling of real-valued data: the model sees
// (value - offset) / scale, and what it gives back is turned into the data's own
// units by value = model * scale + offset. Fitted on a training split only
// (minmax: offset = min, scale = max - min; standard: offset = mean, scale =
// the standard deviation, population form), stored in dataset files by
// `ae-import --scale` and in checkpoints by `ae-train` (io/dataset.hpp,
// io/checkpoint.hpp), and applied by the batch reader on the way in.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aeg::io {

enum class ScaleMethod { None, MinMax, Standard };
std::string to_string(ScaleMethod m);
// "none", "minmax", "standard"; throws std::invalid_argument naming the value.
ScaleMethod parse_scale_method(const std::string& s);

struct FeatureScaling {
  ScaleMethod method = ScaleMethod::None;
  std::vector<double> offset, scale;  // one per feature; empty when method is None

  bool empty() const { return offset.empty(); }
  // In place on rows x features values (features = offset.size()).
  void apply(float* x, std::int64_t rows) const;
  void invert(float* x, std::int64_t rows) const;
  bool operator==(const FeatureScaling&) const = default;
};

// Throws DataError("<context>: ...") unless `s` is empty or has one finite
// offset and one positive finite scale per feature.
void check_scaling(const FeatureScaling& s, std::int64_t features, const std::string& context);

// Per-feature statistics of rows seen one at a time (Welford's update for the
// mean and variance: no cancellation on data with a large mean).
class ScalingFit {
 public:
  explicit ScalingFit(std::int64_t features);
  void add(const float* row);
  void add(const double* row);
  std::int64_t rows() const { return rows_; }
  // A constant feature (range or deviation 0) gets scale 1, so it maps to 0 and
  // back. Throws std::invalid_argument when no row was added.
  FeatureScaling finish(ScaleMethod method) const;

 private:
  std::int64_t rows_ = 0;
  std::vector<double> min_, max_, mean_, m2_;
};

}  // namespace aeg::io
