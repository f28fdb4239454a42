// PRIVATE to aegraph_plot: the canvas over a cairo context (the PNG output).
#pragma once
#include <cairo.h>

#include "plot/canvas.hpp"

namespace aeg::plot {

class CairoCanvas final : public Canvas {
 public:
  explicit CairoCanvas(cairo_t* cr) : cr_(cr) {}
  void polyline(const std::vector<Point>& points, Rgb color, double width, double alpha, bool dashed) override;
  void rect(double x, double y, double w, double h, Rgb fill, double alpha) override;
  void frame(double x, double y, double w, double h, Rgb stroke, double width) override;
  void dots(const std::vector<Point>& centres, double radius, Rgb color, double alpha) override;
  void text(double x, double y, const std::string& s, Font font, Anchor anchor, Rgb color, double angle) override;
  void raster(double x, double y, double w, double h, const Raster& image) override;
  void clip(double x, double y, double w, double h) override;
  void unclip() override;

 private:
  cairo_t* cr_;
};

// A cairo image surface of `image`'s pixels (the caller destroys it).
cairo_surface_t* surface_of(const Raster& image);

}  // namespace aeg::plot
