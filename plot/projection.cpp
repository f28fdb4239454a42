#include "plot/projection.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace aeg::plot {
namespace {

using Vec = std::vector<double>;

// X^T X v / n over the centred rows, without forming X^T X.
Vec covariance_times(const std::vector<float>& rows, const Vec& mean, std::int64_t n, std::int64_t d, const Vec& v) {
  Vec out(static_cast<std::size_t>(d), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    const float* r = rows.data() + i * d;
    double dot = 0;
    for (std::int64_t k = 0; k < d; ++k) dot += (r[k] - mean[static_cast<std::size_t>(k)]) * v[static_cast<std::size_t>(k)];
    for (std::int64_t k = 0; k < d; ++k) out[static_cast<std::size_t>(k)] += dot * (r[k] - mean[static_cast<std::size_t>(k)]);
  }
  for (double& o : out) o /= static_cast<double>(n);
  return out;
}

double dot(const Vec& a, const Vec& b) { return std::inner_product(a.begin(), a.end(), b.begin(), 0.0); }

void normalise(Vec& v) {
  const double s = std::sqrt(dot(v, v));
  if (s > 0)
    for (double& x : v) x /= s;
}

// The leading eigenvector of the covariance, orthogonal to `against` (if any).
Vec leading(const std::vector<float>& rows, const Vec& mean, std::int64_t n, std::int64_t d, const Vec* against) {
  Vec v(static_cast<std::size_t>(d));
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = 1.0 + 0.1 * static_cast<double>(k % 7);
  auto orthogonalise = [&](Vec& u) {
    if (!against) return;
    const double p = dot(u, *against);
    for (std::size_t k = 0; k < u.size(); ++k) u[k] -= p * (*against)[k];
  };
  orthogonalise(v);
  normalise(v);
  for (int it = 0; it < 200; ++it) {
    Vec w = covariance_times(rows, mean, n, d, v);
    orthogonalise(w);
    normalise(w);
    const double change = 1 - std::abs(dot(w, v));
    v = std::move(w);
    if (change < 1e-10) break;
  }
  return v;
}

}  // namespace

Projection principal_components(const std::vector<float>& rows, std::int64_t n, std::int64_t d) {
  if (d < 2 || n < 1 || static_cast<std::int64_t>(rows.size()) != n * d)
    throw std::invalid_argument("principal_components: expected n x d rows with d >= 2");
  Vec mean(static_cast<std::size_t>(d), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < d; ++k) mean[static_cast<std::size_t>(k)] += rows[static_cast<std::size_t>(i * d + k)];
  for (double& m : mean) m /= static_cast<double>(n);
  double total = 0;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < d; ++k) {
      const double c = rows[static_cast<std::size_t>(i * d + k)] - mean[static_cast<std::size_t>(k)];
      total += c * c;
    }
  total /= static_cast<double>(n);
  const Vec v1 = leading(rows, mean, n, d, nullptr), v2 = leading(rows, mean, n, d, &v1);
  Projection p;
  p.x.resize(static_cast<std::size_t>(n));
  p.y.resize(static_cast<std::size_t>(n));
  double s1 = 0, s2 = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    double a = 0, b = 0;
    for (std::int64_t k = 0; k < d; ++k) {
      const double c = rows[static_cast<std::size_t>(i * d + k)] - mean[static_cast<std::size_t>(k)];
      a += c * v1[static_cast<std::size_t>(k)];
      b += c * v2[static_cast<std::size_t>(k)];
    }
    p.x[static_cast<std::size_t>(i)] = a;
    p.y[static_cast<std::size_t>(i)] = b;
    s1 += a * a;
    s2 += b * b;
  }
  if (total > 0) {
    p.explained_1 = s1 / static_cast<double>(n) / total;
    p.explained_2 = s2 / static_cast<double>(n) / total;
  }
  return p;
}

}  // namespace aeg::plot
