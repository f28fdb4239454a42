// A figure as plain data: panels side by side, each with axes, series (lines,
// points, histogram bars, a raster image), ticks, a legend and notes. save()
// draws it as PNG or SVG, chosen by the file's extension.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aeg::plot {

struct Rgb {
  double r = 0, g = 0, b = 0;  // each in [0, 1]
};

// Colour i of matplotlib's "tab10" cycle (i taken modulo 10).
Rgb palette(int i);

enum class Mark {
  line,    // a polyline through (x_i, y_i)
  points,  // a dot at each (x_i, y_i); `width` is its radius in pixels
  bars,    // histogram: x holds n + 1 bin edges, y the n heights
};

struct Series {
  std::string label;  // its legend entry; empty: none
  std::vector<double> x, y;
  Mark mark = Mark::line;
  Rgb color;
  double width = 2;    // line width, or point radius, in pixels
  double alpha = 1;
  bool dashed = false;
};

struct Tick {
  double at = 0;
  std::string label;
};

// Pixels (height x width x 3, row-major, top row first) drawn over the data
// rectangle [x0, x1] x [y0, y1].
struct Raster {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};

enum class LegendPlace { upper_right, lower_right, upper_left, outside_right };

struct Axes {
  std::string title, x_label, y_label;
  bool log_y = false;                            // needs every y > 0 (others are left out)
  std::vector<Series> series;
  std::optional<Raster> image;
  std::vector<Tick> x_ticks, y_ticks;            // empty: round numbers over the range
  std::optional<std::pair<double, double>> x_range, y_range;  // empty: fitted to the data
  LegendPlace legend = LegendPlace::upper_right;
  std::vector<std::string> notes;                // lines in a box at the upper left (e.g. "AUC 0.912")
  bool grid = true;
  bool x_ticks_shown = true, y_ticks_shown = true;  // false: no ticks on that axis at all
};

struct Figure {
  int width = 800, height = 600;  // pixels (SVG: user units of the same size)
  std::string title;
  std::vector<Axes> panels;       // side by side, equal widths (except outside legends)
};

// The width and height a figure of one panel needs for a plot area of
// width x height pixels (to show a raster at a whole number of pixels per pixel).
std::pair<int, int> size_for_plot_area(const Figure& figure, double width, double height);

// Writes `figure` to `path`: PNG for ".png", SVG (text as text) for ".svg";
// through a temp file renamed over `path`. Throws std::invalid_argument for
// another extension or an empty figure, aeg::io::DataError when it cannot write.
void save(const Figure& figure, const std::string& path);

// save() to "<stem>.png" and "<stem>.svg".
void save_png_and_svg(const Figure& figure, const std::string& stem);

}  // namespace aeg::plot
