// Image grids with axes (ae-generate): the 2-D manifold with each column and
// row labelled by its code value, and interpolation strips that say which test
// images they join.
#pragma once
#include <string>
#include <vector>

#include "engine/tensor.hpp"
#include "plot/figure.hpp"

namespace aeg::analysis {

struct LabelledGrid {
  Tensor<float> images;                         // n x C x H x W in [0, 1], C 1 or 3
  int rows = 1, cols = 1;
  std::vector<std::string> col_labels;          // one per column, left to right (or none)
  std::vector<std::string> row_labels;          // one per row, top to bottom (or none)
  std::string x_label, y_label, title;
};

// The tiles drawn at a whole number of screen pixels per image pixel.
plot::Figure grid_figure(const LabelledGrid& g);

}  // namespace aeg::analysis
