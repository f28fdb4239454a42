#include "plot/tiles.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace aeg::plot {

Raster tile_raster(const Tensor<float>& images, int rows, int cols, int gap) {
  const Shape& s = images.shape;
  if (s.size() != 4 || (s[1] != 1 && s[1] != 3) || rows < 1 || cols < 1)
    throw std::invalid_argument("tile_raster: images of shape " + to_string(s) + ", expected n x C x H x W with C 1 or 3");
  const auto c = static_cast<int>(s[1]), h = static_cast<int>(s[2]), w = static_cast<int>(s[3]);
  Raster r;
  r.width = cols * w + (cols + 1) * gap;
  r.height = rows * h + (rows + 1) * gap;
  r.rgb.assign(static_cast<std::size_t>(r.width) * static_cast<std::size_t>(r.height) * 3, 255);
  r.x0 = -0.5, r.x1 = cols - 0.5, r.y0 = -0.5, r.y1 = rows - 0.5;
  const std::int64_t n = std::min<std::int64_t>(s[0], std::int64_t{rows} * cols);
  for (std::int64_t i = 0; i < n; ++i) {
    const int top = gap + static_cast<int>(i / cols) * (h + gap), left = gap + static_cast<int>(i % cols) * (w + gap);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int k = 0; k < 3; ++k) {
          const float v = images.data[static_cast<std::size_t>(((i * c + (c == 3 ? k : 0)) * h + y) * w + x)];
          const float u = std::isnan(v) ? 0.0f : std::clamp(v, 0.0f, 1.0f);
          r.rgb[(static_cast<std::size_t>(top + y) * static_cast<std::size_t>(r.width) + static_cast<std::size_t>(left + x)) * 3 +
                static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(std::lround(u * 255));
        }
  }
  return r;
}

}  // namespace aeg::plot
