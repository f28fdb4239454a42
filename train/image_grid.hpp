// The apps' pictures of images (recon.png, ae-generate, ae-denoise): a PNG grid
// for any channel count. 1 channel is drawn grey and 3 as RGB; any other count
// has no colour meaning, so each image is drawn channel by channel, its C grey
// tiles side by side in its row.
#pragma once
#include <string>

#include "engine/tensor.hpp"

namespace aeg::train {

// images: n x C x H x W in [0, 1], tiled rows x cols (C x cols tiles per row where
// drawn channel by channel); throws std::invalid_argument on another rank.
void write_image_grid(const std::string& path, const Tensor<float>& images, int rows, int cols);

}  // namespace aeg::train
