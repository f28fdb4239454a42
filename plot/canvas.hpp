// PRIVATE to aegraph_plot. What drawing a figure needs of an output: lines,
// rectangles, dots, text and a raster, in pixels from the top left. Two
// outputs: cairo's image surface (PNG) and SVG written as text, so that the
// SVG keeps its labels as <text> (cairo's SVG surface turns them into glyph
// outlines, which no one can search or select). Both measure text with cairo.
#pragma once
#include <string>
#include <vector>

#include "plot/figure.hpp"

namespace aeg::plot {

struct Point {
  double x = 0, y = 0;
};

enum class Anchor { start, middle, end };

struct Font {
  double size = 13;
  bool bold = false;
};

class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual void polyline(const std::vector<Point>& points, Rgb color, double width, double alpha, bool dashed) = 0;
  virtual void rect(double x, double y, double w, double h, Rgb fill, double alpha) = 0;
  virtual void frame(double x, double y, double w, double h, Rgb stroke, double width) = 0;
  virtual void dots(const std::vector<Point>& centres, double radius, Rgb color, double alpha) = 0;
  // The baseline's anchor point is (x, y); angle -90 writes upwards.
  virtual void text(double x, double y, const std::string& s, Font font, Anchor anchor, Rgb color, double angle = 0) = 0;
  virtual void raster(double x, double y, double w, double h, const Raster& image) = 0;
  virtual void clip(double x, double y, double w, double h) = 0;
  virtual void unclip() = 0;
};

// The width in pixels of `s` as drawn in DejaVu Sans (both outputs use it).
double text_width(const std::string& s, Font font);

inline const char* kFontFamily = "DejaVu Sans";

}  // namespace aeg::plot
