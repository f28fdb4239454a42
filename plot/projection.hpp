// A wide code drawn in 2-D: its rows projected on their first two principal
// components (centred; power iteration on the rows, never a d x d matrix, so a
// 1000-unit code costs a few passes over the rows).
#pragma once
#include <cstdint>
#include <vector>

namespace aeg::plot {

struct Projection {
  std::vector<double> x, y;             // each row's coordinates on components 1 and 2
  double explained_1 = 0, explained_2 = 0;  // the fraction of the total variance each carries
};

// rows: n x d, row-major, d >= 2. Deterministic (a fixed start vector).
Projection principal_components(const std::vector<float>& rows, std::int64_t n, std::int64_t d);

}  // namespace aeg::plot
