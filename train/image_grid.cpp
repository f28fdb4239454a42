#include "train/image_grid.hpp"

#include <stdexcept>

#include "io/png.hpp"

namespace aeg::train {

void write_image_grid(const std::string& path, const Tensor<float>& images, int rows, int cols) {
  const Shape& s = images.shape;
  if (s.size() != 4)
    throw std::invalid_argument("write_image_grid: images of shape " + to_string(s) + ", expected n x C x H x W");
  const std::int64_t c = s[1];
  if (c == 1 || c == 3) return io::write_png_grid(path, images, rows, cols);
  // Channel by channel: the same values as n * C grey images, each sample's C in a row.
  Tensor<float> grey(Shape{s[0] * c, 1, s[2], s[3]}, images.data);
  io::write_png_grid(path, grey, rows, cols * static_cast<int>(c));
}

}  // namespace aeg::train
