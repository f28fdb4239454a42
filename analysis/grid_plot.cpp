#include "analysis/grid_plot.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "plot/tiles.hpp"

namespace aeg::analysis {
namespace {

// Every label when they fit, else every k-th: about 16 along an axis.
std::vector<plot::Tick> ticks(const std::vector<std::string>& labels, bool from_top, int count) {
  std::vector<plot::Tick> t;
  const int every = std::max(1, static_cast<int>(std::ceil(static_cast<double>(labels.size()) / 16)));
  for (int i = 0; i < static_cast<int>(labels.size()); i += every)
    t.push_back({static_cast<double>(from_top ? count - 1 - i : i), labels[static_cast<std::size_t>(i)]});
  return t;
}

}  // namespace

plot::Figure grid_figure(const LabelledGrid& g) {
  plot::Axes a;
  a.image = plot::tile_raster(g.images, g.rows, g.cols);
  a.x_label = g.x_label;
  a.y_label = g.y_label;
  a.grid = false;
  a.x_ticks = ticks(g.col_labels, false, g.cols);
  a.y_ticks = ticks(g.row_labels, true, g.rows);
  a.y_ticks_shown = !g.row_labels.empty();
  a.x_ticks_shown = !g.col_labels.empty();
  plot::Figure f;
  f.title = g.title;
  const double side = std::max(a.image->width, a.image->height);
  const double scale = std::clamp(std::round(900 / side), 1.0, 8.0);
  const double w = a.image->width * scale, h = a.image->height * scale;
  f.panels.push_back(std::move(a));
  std::tie(f.width, f.height) = plot::size_for_plot_area(f, w, h);
  return f;
}

}  // namespace aeg::analysis
