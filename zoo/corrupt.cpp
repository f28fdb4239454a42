#include "zoo/corrupt.hpp"

#include <algorithm>
#include <stdexcept>

namespace aeg::zoo {

void corrupt(float* x, std::int64_t n, Noise noise, double level, Rng& rng, double lo, double hi) {
  const float flo = static_cast<float>(lo), fhi = static_cast<float>(hi);
  for (std::int64_t i = 0; i < n; ++i) {
    switch (noise) {
      case Noise::None: return;
      case Noise::Masking:
        if (rng.uniform() < level) x[i] = 0;
        break;
      case Noise::Gaussian:
        x[i] = std::clamp(static_cast<float>(x[i] + level * rng.normal()), flo, fhi);
        break;
      case Noise::SaltPepper:
        if (rng.uniform() < level) x[i] = rng.uniform() < 0.5 ? 0.0f : 1.0f;
        break;
    }
  }
}

NoiseSpec parse_noise_spec(const std::string& s) {
  if (s == "none" || s.empty()) return {};
  const auto colon = s.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("noise '" + s + "': expected KIND:LEVEL, e.g. gaussian:0.5 or masking:0.25");
  NoiseSpec r;
  try {
    r.noise = parse_noise(s.substr(0, colon));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("noise '" + s + "': " + e.what());
  }
  if (r.noise == Noise::None) return {};
  std::size_t used = 0;
  const std::string lv = s.substr(colon + 1);
  try {
    r.level = std::stod(lv, &used);
  } catch (...) {
    used = 0;
  }
  if (used != lv.size() || lv.empty() || r.level < 0)
    throw std::invalid_argument("noise '" + s + "': the level must be a number >= 0");
  if (r.noise != Noise::Gaussian && r.level >= 1)
    throw std::invalid_argument("noise '" + s + "': a rate must be below 1");
  return r;
}

std::string to_string(const NoiseSpec& n) {
  if (n.noise == Noise::None) return "none";
  std::string lv = std::to_string(n.level);
  lv.erase(lv.find_last_not_of('0') + 1);
  if (!lv.empty() && lv.back() == '.') lv.pop_back();
  return to_string(n.noise) + ":" + lv;
}

}  // namespace aeg::zoo
