#include "io/scatter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "io/png.hpp"

namespace aeg::io {
namespace {

constexpr std::array<std::array<std::uint8_t, 3>, 10> kTab10 = {{{31, 119, 180}, {255, 127, 14}, {44, 160, 44},
                                                                  {214, 39, 40}, {148, 103, 189}, {140, 86, 75},
                                                                  {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
                                                                  {23, 190, 207}}};

// Robust range: the 0.5 and 99.5 percentiles, so a few far points do not squash the rest.
std::pair<float, float> range_of(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  float lo = v[n / 200], hi = v[n - 1 - n / 200];
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const float pad = 0.05f * (hi - lo);
  return {lo - pad, hi + pad};
}

}  // namespace

void write_scatter_png(const std::string& path, const std::vector<float>& x, const std::vector<float>& y,
                       const std::vector<std::int32_t>& labels, int size) {
  if (x.size() != y.size() || x.empty()) throw std::invalid_argument("scatter plot: x and y need the same, non-zero length");
  if (!labels.empty() && labels.size() != x.size())
    throw std::invalid_argument("scatter plot: one label per point expected");
  std::vector<std::uint8_t> px(static_cast<std::size_t>(size) * size * 3, 255);
  const int margin = size / 20;
  auto put = [&](int r, int c, const std::array<std::uint8_t, 3>& rgb, float alpha) {
    if (r < 0 || c < 0 || r >= size || c >= size) return;
    std::uint8_t* p = &px[(static_cast<std::size_t>(r) * size + c) * 3];
    for (int k = 0; k < 3; ++k) p[k] = static_cast<std::uint8_t>(std::lround(p[k] * (1 - alpha) + rgb[k] * alpha));
  };
  for (int i = margin; i <= size - margin; ++i) {  // the frame
    for (int e : {margin, size - margin}) {
      put(e, i, {0, 0, 0}, 1);
      put(i, e, {0, 0, 0}, 1);
    }
  }
  const auto [x0, x1] = range_of(x);
  const auto [y0, y1] = range_of(y);
  const float span = static_cast<float>(size - 2 * margin);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    const int c = margin + static_cast<int>((x[i] - x0) / (x1 - x0) * span);
    const int r = size - margin - static_cast<int>((y[i] - y0) / (y1 - y0) * span);
    if (c <= margin || c >= size - margin || r <= margin || r >= size - margin) continue;
    // A file's labels may be any int32: std::abs of INT32_MIN would overflow.
    const auto& rgb = kTab10[labels.empty() ? 0 : static_cast<std::size_t>((labels[i] % 10 + 10) % 10)];
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) put(r + dr, c + dc, rgb, dr == 0 && dc == 0 ? 0.8f : 0.35f);
  }
  write_png(path, px, size, size, 3);
}

}  // namespace aeg::io
