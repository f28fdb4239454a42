// Walks through a code space, as rows of codes (n x code, row-major) for the
// decoder: what ae-generate draws.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/rng.hpp"

namespace aeg::analysis {

using Codes = std::vector<float>;

// n draws from the prior N(0, I).
Codes prior_samples(std::int64_t n, std::int64_t code, Rng& rng);

// `steps` codes on the straight line from a to b, both ends included.
Codes interpolate(const float* a, const float* b, std::int64_t code, std::int64_t steps);

// For each base row: `values.size()` copies with unit `dim` set to each value.
Codes traverse(const Codes& bases, std::int64_t code, std::int64_t dim, const std::vector<float>& values);

// The standard normal's inverse CDF.
double normal_quantile(double p);

// A steps x steps grid of 2-D codes, row r / column c at the quantiles
// (c + 0.5) / steps along x and (steps - r - 0.5) / steps along y of the given
// inverse CDFs (the prior's, for a VAE: Kingma and Welling's manifold figure).
template <class QuantileX, class QuantileY>
Codes manifold_grid(std::int64_t steps, QuantileX qx, QuantileY qy) {
  Codes z;
  for (std::int64_t r = 0; r < steps; ++r)
    for (std::int64_t c = 0; c < steps; ++c) {
      z.push_back(static_cast<float>(qx((static_cast<double>(c) + 0.5) / static_cast<double>(steps))));
      z.push_back(static_cast<float>(qy((static_cast<double>(steps - r) - 0.5) / static_cast<double>(steps))));
    }
  return z;
}

// The empirical inverse CDF of one code unit over n rows (for models without a prior).
std::vector<float> sorted_unit(const float* codes, std::int64_t n, std::int64_t code, std::int64_t dim);
double empirical_quantile(const std::vector<float>& sorted, double p);

}  // namespace aeg::analysis
