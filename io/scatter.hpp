// A scatter plot as a PNG: points (x_i, y_i) coloured by class with the ten
// "tab10" colours, scaled to fill a square with a margin and a frame. Used for
// the 2-D latent space of the test set.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aeg::io {

// labels may be empty (all points one colour); size is the side in pixels.
void write_scatter_png(const std::string& path, const std::vector<float>& x, const std::vector<float>& y,
                       const std::vector<std::int32_t>& labels, int size = 600);

}  // namespace aeg::io
