// Histogram bars of a sample, for a plot (Mark::bars).
#pragma once
#include <string>
#include <vector>

#include "plot/figure.hpp"

namespace aeg::plot {

// `bins` equal bins over [lo, hi] (values outside go to the end bins; NaN is
// left out). With `density`, heights are fractions of the sample per unit of x,
// so samples of different sizes compare.
Series histogram(const std::vector<float>& values, double lo, double hi, int bins, bool density);

}  // namespace aeg::plot
