// Images tiled into one raster for a figure (a labelled image grid).
#pragma once
#include "engine/tensor.hpp"
#include "plot/figure.hpp"

namespace aeg::plot {

// images: n x C x H x W (C = 1 grey or 3 RGB), values in [0, 1] (clamped, NaN
// as 0), tiled rows x cols with `gap` white pixels between and around; the
// raster spans columns -0.5 .. cols - 0.5 and rows -0.5 .. rows - 0.5 (row 0 at
// the bottom), so tile (r, c) is centred on x = c, y = rows - 1 - r.
Raster tile_raster(const Tensor<float>& images, int rows, int cols, int gap = 2);

}  // namespace aeg::plot
