// The bench's JSON lines (../shared/bench-models.md), written by nlohmann-json:
// one object a line, figures rounded to what the measurement can tell.
#pragma once
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace aeg::bench {

inline double rounded(double v, int digits) {
  const double s = std::pow(10.0, digits);
  return std::round(v * s) / s;
}

inline void print_json_line(const nlohmann::ordered_json& j) {
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

}  // namespace aeg::bench
