#include "io/png.hpp"

#include <png.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/error.hpp"

namespace aeg::io {
namespace {

std::uint8_t to_byte(float v) {
  if (!(v > 0.0f)) return 0;  // also NaN
  if (v >= 1.0f) return 255;
  return static_cast<std::uint8_t>(std::lround(v * 255.0f));
}

}  // namespace

void write_png(const std::string& path, const std::vector<std::uint8_t>& pixels, int width,
               int height, int channels) {
  if (width <= 0 || height <= 0 || (channels != 1 && channels != 3))
    throw std::invalid_argument("write_png: " + std::to_string(width) + " x " + std::to_string(height) +
                                " x " + std::to_string(channels) +
                                ", expected a positive size and 1 (grey) or 3 (RGB) channels");
  const std::size_t need = static_cast<std::size_t>(width) * height * channels;
  if (pixels.size() != need)
    throw std::invalid_argument("write_png: " + std::to_string(pixels.size()) + " bytes, expected " +
                                std::to_string(need) + " for " + std::to_string(width) + " x " +
                                std::to_string(height) + " x " + std::to_string(channels));
  TempFile temp(path);
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(width);
  img.height = static_cast<png_uint_32>(height);
  img.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&img, temp.path().c_str(), 0, pixels.data(), 0, nullptr))
    throw DataError(path + ": cannot write PNG (" + img.message + ")");
  png_image_free(&img);
  temp.commit();
}

void write_png_grid(const std::string& path, const Tensor<float>& images, int rows, int cols, int gap,
                    float background, int scale) {
  const Shape& s = images.shape;
  if (s.size() != 3 && s.size() != 4)
    throw std::invalid_argument("write_png_grid: images of shape " + to_string(s) +
                                ", expected n x h x w or n x c x h x w");
  const std::int64_t n = s[0], c = s.size() == 4 ? s[1] : 1, h = s[s.size() - 2], w = s[s.size() - 1];
  if (c != 1 && c != 3)
    throw std::invalid_argument("write_png_grid: " + std::to_string(c) + " channels, expected 1 or 3");
  if (n <= 0 || h <= 0 || w <= 0) throw std::invalid_argument("write_png_grid: no images in " + to_string(s));
  if (gap < 0 || rows < 0 || cols < 0) throw std::invalid_argument("write_png_grid: negative rows, cols or gap");
  if (scale < 1 || scale > 64) throw std::invalid_argument("write_png_grid: scale " + std::to_string(scale) + ", expected 1 to 64");
  if (rows == 0 && cols == 0) cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  if (cols == 0) cols = static_cast<int>((n + rows - 1) / rows);
  if (rows == 0) rows = static_cast<int>((n + cols - 1) / cols);
  const std::int64_t W = cols * w + (cols + 1) * std::int64_t{gap};
  const std::int64_t H = rows * h + (rows + 1) * std::int64_t{gap};
  std::vector<std::uint8_t> px(static_cast<std::size_t>(W * H * c), to_byte(background));
  const std::int64_t shown = std::min<std::int64_t>(n, std::int64_t{rows} * cols);
  for (std::int64_t k = 0; k < shown; ++k) {
    const std::int64_t r0 = gap + (k / cols) * (h + gap), c0 = gap + (k % cols) * (w + gap);
    const float* img = images.ptr() + k * c * h * w;
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x)
          px[static_cast<std::size_t>(((r0 + y) * W + c0 + x) * c + ch)] = to_byte(img[(ch * h + y) * w + x]);
  }
  if (scale == 1) return write_png(path, px, static_cast<int>(W), static_cast<int>(H), static_cast<int>(c));
  std::vector<std::uint8_t> big(px.size() * static_cast<std::size_t>(scale * scale));
  const std::int64_t BW = W * scale;
  for (std::int64_t y = 0; y < H * scale; ++y)
    for (std::int64_t x = 0; x < BW; ++x)
      for (std::int64_t ch = 0; ch < c; ++ch)
        big[static_cast<std::size_t>((y * BW + x) * c + ch)] = px[static_cast<std::size_t>(((y / scale) * W + x / scale) * c + ch)];
  write_png(path, big, static_cast<int>(BW), static_cast<int>(H * scale), static_cast<int>(c));
}

PngImage read_png(const std::string& path) {
  if (!std::filesystem::exists(path)) throw DataError(path + ": no such file");
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str()))
    throw DataError(path + ": not a readable PNG (" + img.message + ")");
  const bool grey = (img.format & PNG_FORMAT_FLAG_COLOR) == 0;
  img.format = grey ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  PngImage r;
  r.width = static_cast<int>(img.width);
  r.height = static_cast<int>(img.height);
  r.channels = grey ? 1 : 3;
  r.pixels.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, r.pixels.data(), 0, nullptr)) {
    const std::string msg = img.message;
    png_image_free(&img);
    throw DataError(path + ": cannot read PNG (" + msg + ")");
  }
  return r;
}

}  // namespace aeg::io
