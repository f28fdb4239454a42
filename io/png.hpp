// PNG files through libpng (8-bit grey or RGB). Written to a temp file and
// renamed over the target, like every other file aegraph writes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.hpp"

namespace aeg::io {

// pixels: height x width x channels bytes, row-major; channels 1 (grey) or 3 (RGB).
void write_png(const std::string& path, const std::vector<std::uint8_t>& pixels, int width,
               int height, int channels = 1);

// images: n x h x w or n x c x h x w (c = 1 or 3), values in [0, 1] (clamped,
// NaN drawn as 0). Tiled rows x cols (0 = choose: a near-square grid; one of
// them 0 = derived from the other), `gap` pixels of `background` (grey level in
// [0, 1]) between and around the tiles. Images beyond rows * cols are left out.
// scale >= 1 draws every pixel of the grid as scale x scale (nearest neighbour).
void write_png_grid(const std::string& path, const Tensor<float>& images, int rows = 0,
                    int cols = 0, int gap = 2, float background = 1.0f, int scale = 1);

struct PngImage {
  int width = 0, height = 0, channels = 0;  // channels 1 or 3
  std::vector<std::uint8_t> pixels;         // height x width x channels
};
// Reads any PNG, converted to 8-bit grey (if it is grey) or RGB. Throws DataError.
PngImage read_png(const std::string& path);

}  // namespace aeg::io
