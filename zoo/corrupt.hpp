// The zoo's input corruptions applied to data outside a graph (ae-eval's
// denoising measurement, ae-denoise), with the same meaning as the graph ops.
#pragma once
#include <cstdint>
#include <string>

#include "engine/rng.hpp"
#include "zoo/spec.hpp"

namespace aeg::zoo {

// Gaussian noise is clamped to [lo, hi] (the model's target range, as the graph's
// corruption does; +-infinity for none).
void corrupt(float* x, std::int64_t n, Noise noise, double level, Rng& rng, double lo, double hi);

// "gaussian:0.5", "masking:0.25", "salt-pepper:0.1", "none".
struct NoiseSpec {
  Noise noise = Noise::None;
  double level = 0;
};
NoiseSpec parse_noise_spec(const std::string& s);
std::string to_string(const NoiseSpec& n);

}  // namespace aeg::zoo
