#include "plot/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace aeg::plot {

Series histogram(const std::vector<float>& values, double lo, double hi, int bins, bool density) {
  if (bins < 1 || !(hi > lo)) throw std::invalid_argument("histogram: expected at least one bin over a range hi > lo");
  Series s;
  s.mark = Mark::bars;
  s.alpha = 0.55;
  s.y.assign(static_cast<std::size_t>(bins), 0.0);
  for (int i = 0; i <= bins; ++i) s.x.push_back(lo + (hi - lo) * i / bins);
  double n = 0;
  for (float v : values) {
    if (std::isnan(v)) continue;
    const int b = std::clamp(static_cast<int>(std::floor((v - lo) / (hi - lo) * bins)), 0, bins - 1);
    s.y[static_cast<std::size_t>(b)] += 1;
    ++n;
  }
  if (density && n > 0)
    for (double& y : s.y) y /= n * (hi - lo) / bins;
  return s;
}

}  // namespace aeg::plot
