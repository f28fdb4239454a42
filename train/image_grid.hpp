// The apps' pictures of images (recon.png, ae-generate, ae-denoise): a PNG grid
// for any channel count. 1 channel is drawn grey and 3 as RGB; any other count
// has no colour meaning, so each image is drawn channel by channel, its C grey
// tiles side by side in its row.
#pragma once
#include <string>

#include "engine/tensor.hpp"

namespace aeg::train {

// images: n x C x H x W in [0, 1], tiled rows x cols (C x cols tiles per row where
// drawn channel by channel), each pixel drawn scale x scale (nearest neighbour;
// 0: default_grid_scale); throws std::invalid_argument on another rank.
void write_image_grid(const std::string& path, const Tensor<float>& images, int rows, int cols, int scale = 0);

// 3 for images of at most 32 pixels a side (28 x 28 is then 84 x 84, readable at a
// glance), else 1. images: n x C x H x W.
int default_grid_scale(const Shape& images);

}  // namespace aeg::train
