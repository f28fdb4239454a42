#include "engine/rng.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace aeg {

// 53 random bits -> [0,1); written out so results do not depend on the standard
// library's distribution classes.
double Rng::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Rng::normal() {
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection keeps it unbiased.
  const std::uint64_t limit = n ? (UINT64_MAX - UINT64_MAX % n) : 0;
  std::uint64_t x;
  do x = engine_(); while (x >= limit);
  return x % n;
}

std::string Rng::state() const {
  std::ostringstream os;
  os << engine_;
  return os.str();
}

void Rng::set_state(const std::string& s) {
  std::istringstream is(s);
  std::mt19937_64 e;
  is >> e;
  if (!is) throw std::invalid_argument("not a valid generator state string");
  engine_ = e;
}

}  // namespace aeg
