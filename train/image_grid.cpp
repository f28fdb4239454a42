#include "train/image_grid.hpp"

#include <stdexcept>

#include "io/png.hpp"

namespace aeg::train {

int default_grid_scale(const Shape& images) {
  return images.size() == 4 && images[2] <= 32 && images[3] <= 32 ? 3 : 1;
}

void write_image_grid(const std::string& path, const Tensor<float>& images, int rows, int cols, int scale) {
  const Shape& s = images.shape;
  if (s.size() != 4)
    throw std::invalid_argument("write_image_grid: images of shape " + to_string(s) + ", expected n x C x H x W");
  if (scale == 0) scale = default_grid_scale(s);
  const std::int64_t c = s[1];
  if (c == 1 || c == 3) return io::write_png_grid(path, images, rows, cols, 2, 1.0f, scale);
  // Channel by channel: the same values as n * C grey images, each sample's C in a row.
  Tensor<float> grey(Shape{s[0] * c, 1, s[2], s[3]}, images.data);
  io::write_png_grid(path, grey, rows, cols * static_cast<int>(c), 2, 1.0f, scale);
}

}  // namespace aeg::train
