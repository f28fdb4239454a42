#include "io/scaling.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "io/error.hpp"

namespace aeg::io {

std::string to_string(ScaleMethod m) {
  switch (m) {
    case ScaleMethod::None: return "none";
    case ScaleMethod::MinMax: return "minmax";
    case ScaleMethod::Standard: return "standard";
  }
  return "?";
}

ScaleMethod parse_scale_method(const std::string& s) {
  for (ScaleMethod m : {ScaleMethod::None, ScaleMethod::MinMax, ScaleMethod::Standard})
    if (to_string(m) == s) return m;
  throw std::invalid_argument("scaling '" + s + "': expected none, minmax or standard");
}

// Arithmetic in double, so that apply then invert gives back the float it started from.
void FeatureScaling::apply(float* x, std::int64_t rows) const {
  const std::size_t f = offset.size();
  for (std::int64_t r = 0; r < rows; ++r, x += f)
    for (std::size_t j = 0; j < f; ++j) x[j] = static_cast<float>((x[j] - offset[j]) / scale[j]);
}

void FeatureScaling::invert(float* x, std::int64_t rows) const {
  const std::size_t f = offset.size();
  for (std::int64_t r = 0; r < rows; ++r, x += f)
    for (std::size_t j = 0; j < f; ++j) x[j] = static_cast<float>(x[j] * scale[j] + offset[j]);
}

void check_scaling(const FeatureScaling& s, std::int64_t features, const std::string& context) {
  if (s.empty() && s.scale.empty()) {
    if (s.method != ScaleMethod::None)
      throw DataError(context + ": scaling '" + to_string(s.method) + "' without its per-feature parameters");
    return;
  }
  const auto n = static_cast<std::int64_t>(s.offset.size());
  if (n != features || static_cast<std::int64_t>(s.scale.size()) != features)
    throw DataError(context + ": " + std::to_string(n) + " offsets and " + std::to_string(s.scale.size()) +
                    " scales, expected one of each per feature (" + std::to_string(features) + ")");
  for (std::int64_t j = 0; j < n; ++j) {
    const double o = s.offset[static_cast<std::size_t>(j)], c = s.scale[static_cast<std::size_t>(j)];
    if (!std::isfinite(o) || !std::isfinite(c) || !(c > 0)) {
      char b[96];
      std::snprintf(b, sizeof b, "offset %g, scale %g", o, c);
      throw DataError(context + ": feature " + std::to_string(j) + " has " + b +
                      ", expected a finite offset and a positive finite scale");
    }
  }
}

ScalingFit::ScalingFit(std::int64_t features)
    : min_(static_cast<std::size_t>(features), std::numeric_limits<double>::infinity()),
      max_(static_cast<std::size_t>(features), -std::numeric_limits<double>::infinity()),
      mean_(static_cast<std::size_t>(features), 0.0),
      m2_(static_cast<std::size_t>(features), 0.0) {}

void ScalingFit::add(const double* row) {
  ++rows_;
  const double n = static_cast<double>(rows_);
  for (std::size_t j = 0; j < mean_.size(); ++j) {
    const double v = row[j];
    min_[j] = std::min(min_[j], v);
    max_[j] = std::max(max_[j], v);
    const double d = v - mean_[j];
    mean_[j] += d / n;
    m2_[j] += d * (v - mean_[j]);
  }
}

void ScalingFit::add(const float* row) {
  std::vector<double> d(row, row + mean_.size());
  add(d.data());
}

FeatureScaling ScalingFit::finish(ScaleMethod method) const {
  FeatureScaling s;
  s.method = method;
  if (method == ScaleMethod::None) return s;
  if (rows_ == 0) throw std::invalid_argument("ScalingFit: no rows to fit a scaling on");
  const std::size_t f = mean_.size();
  s.offset.resize(f);
  s.scale.resize(f);
  for (std::size_t j = 0; j < f; ++j) {
    const double spread = method == ScaleMethod::MinMax ? max_[j] - min_[j] : std::sqrt(m2_[j] / static_cast<double>(rows_));
    s.offset[j] = method == ScaleMethod::MinMax ? min_[j] : mean_[j];
    s.scale[j] = spread > 0 ? spread : 1.0;
  }
  return s;
}

}  // namespace aeg::io
