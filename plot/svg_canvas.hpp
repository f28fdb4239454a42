// PRIVATE to aegraph_plot: the canvas that writes SVG text, labels as <text>.
#pragma once
#include <sstream>

#include "plot/canvas.hpp"

namespace aeg::plot {

class SvgCanvas final : public Canvas {
 public:
  SvgCanvas(int width, int height);
  void polyline(const std::vector<Point>& points, Rgb color, double width, double alpha, bool dashed) override;
  void rect(double x, double y, double w, double h, Rgb fill, double alpha) override;
  void frame(double x, double y, double w, double h, Rgb stroke, double width) override;
  void dots(const std::vector<Point>& centres, double radius, Rgb color, double alpha) override;
  void text(double x, double y, const std::string& s, Font font, Anchor anchor, Rgb color, double angle) override;
  void raster(double x, double y, double w, double h, const Raster& image) override;
  void clip(double x, double y, double w, double h) override;
  void unclip() override;

  // The whole document, closing any open clip group.
  std::string finish();

 private:
  std::ostringstream out_;
  int clips_ = 0, open_ = 0;
};

// `s` with &, <, > and quotes escaped for XML text and attributes.
std::string xml_escape(const std::string& s);

}  // namespace aeg::plot
