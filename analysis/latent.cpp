#include "analysis/latent.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/math/special_functions/erf.hpp>

namespace aeg::analysis {

Codes prior_samples(std::int64_t n, std::int64_t code, Rng& rng) {
  Codes z(static_cast<std::size_t>(n * code));
  for (float& v : z) v = static_cast<float>(rng.normal());
  return z;
}

Codes interpolate(const float* a, const float* b, std::int64_t code, std::int64_t steps) {
  if (steps < 2) throw std::invalid_argument("an interpolation needs at least 2 steps");
  Codes z;
  z.reserve(static_cast<std::size_t>(steps * code));
  for (std::int64_t s = 0; s < steps; ++s) {
    const double t = static_cast<double>(s) / static_cast<double>(steps - 1);
    for (std::int64_t k = 0; k < code; ++k) z.push_back(static_cast<float>((1 - t) * a[k] + t * b[k]));
  }
  return z;
}

Codes traverse(const Codes& bases, std::int64_t code, std::int64_t dim, const std::vector<float>& values) {
  if (dim < 0 || dim >= code)
    throw std::invalid_argument("--traverse " + std::to_string(dim) + ": the code has units 0.." + std::to_string(code - 1));
  Codes z;
  const std::int64_t rows = static_cast<std::int64_t>(bases.size()) / code;
  for (std::int64_t r = 0; r < rows; ++r)
    for (float v : values) {
      const auto first = bases.begin() + r * code;
      z.insert(z.end(), first, first + code);
      z[z.size() - static_cast<std::size_t>(code - dim)] = v;
    }
  return z;
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("normal_quantile: p must be in (0, 1)");
  return std::sqrt(2.0) * boost::math::erf_inv(2 * p - 1);
}

std::vector<float> sorted_unit(const float* codes, std::int64_t n, std::int64_t code, std::int64_t dim) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = codes[i * code + dim];
  std::sort(v.begin(), v.end());
  return v;
}

double empirical_quantile(const std::vector<float>& sorted, double p) {
  if (sorted.empty()) throw std::invalid_argument("empirical_quantile: no values");
  const double at = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double t = at - static_cast<double>(lo);
  return (1 - t) * sorted[lo] + t * sorted[hi];
}

}  // namespace aeg::analysis
