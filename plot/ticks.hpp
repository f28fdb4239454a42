// Tick positions a person reads easily: multiples of 1, 2 or 5 times a power of
// ten on a linear axis, powers of ten (and 2 and 5 between, over few decades) on
// a log axis, labelled with no more digits than the step needs.
#pragma once
#include <string>
#include <vector>

namespace aeg::plot {

// About `target` round values covering [lo, hi] (the first <= lo, the last >= hi).
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

// Round values for a log axis over [lo, hi], lo > 0: the powers of ten around
// them, with 2 and 5 times each power when the range spans fewer than 2 decades.
std::vector<double> log_ticks(double lo, double hi);

// "0.25", "1e-03", "1000": `step` is the distance between neighbouring ticks.
std::string tick_label(double value, double step);

// True when the positive values span at least `decades` powers of ten.
bool spans_decades(const std::vector<double>& values, double decades = 1.5);

}  // namespace aeg::plot
