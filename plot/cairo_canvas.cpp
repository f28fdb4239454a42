#include "plot/cairo_canvas.hpp"

#include <cmath>
#include <memory>

namespace aeg::plot {
namespace {

void set_font(cairo_t* cr, Font f) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL, f.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, f.size);
}

}  // namespace

double text_width(const std::string& s, Font font) {
  // One scratch context per thread: cairo contexts are not shared across threads.
  thread_local std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1), &cairo_surface_destroy);
  thread_local std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), &cairo_destroy);
  set_font(cr.get(), font);
  cairo_text_extents_t e;
  cairo_text_extents(cr.get(), s.c_str(), &e);
  return e.x_advance;
}

cairo_surface_t* surface_of(const Raster& r) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, r.width, r.height);
  cairo_surface_flush(s);
  unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < r.height; ++y)
    for (int x = 0; x < r.width; ++x) {
      const std::uint8_t* p = &r.rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(r.width) + static_cast<std::size_t>(x)) * 3];
      auto* q = reinterpret_cast<std::uint32_t*>(data + y * stride) + x;
      *q = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
    }
  cairo_surface_mark_dirty(s);
  return s;
}

void CairoCanvas::polyline(const std::vector<Point>& pts, Rgb c, double width, double alpha, bool dashed) {
  if (pts.size() < 2) return;
  cairo_save(cr_);
  cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha);
  cairo_set_line_width(cr_, width);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  if (dashed) {
    const double d[] = {6, 4};
    cairo_set_dash(cr_, d, 2, 0);
  }
  cairo_move_to(cr_, pts[0].x, pts[0].y);
  for (std::size_t i = 1; i < pts.size(); ++i) cairo_line_to(cr_, pts[i].x, pts[i].y);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void CairoCanvas::rect(double x, double y, double w, double h, Rgb c, double alpha) {
  cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
}

void CairoCanvas::frame(double x, double y, double w, double h, Rgb c, double width) {
  cairo_set_source_rgb(cr_, c.r, c.g, c.b);
  cairo_set_line_width(cr_, width);
  // Half-pixel offsets keep a 1-pixel line on one row of pixels.
  cairo_rectangle(cr_, std::round(x) + 0.5, std::round(y) + 0.5, std::round(w), std::round(h));
  cairo_stroke(cr_);
}

void CairoCanvas::dots(const std::vector<Point>& centres, double radius, Rgb c, double alpha) {
  cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha);
  for (const Point& p : centres) {
    cairo_new_sub_path(cr_);
    cairo_arc(cr_, p.x, p.y, radius, 0, 2 * M_PI);
    cairo_fill(cr_);
  }
}

void CairoCanvas::text(double x, double y, const std::string& s, Font font, Anchor anchor, Rgb c, double angle) {
  cairo_save(cr_);
  set_font(cr_, font);
  cairo_text_extents_t e;
  cairo_text_extents(cr_, s.c_str(), &e);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, angle * M_PI / 180);
  const double shift = anchor == Anchor::start ? 0 : anchor == Anchor::middle ? e.x_advance / 2 : e.x_advance;
  cairo_move_to(cr_, -shift, 0);
  cairo_set_source_rgb(cr_, c.r, c.g, c.b);
  cairo_show_text(cr_, s.c_str());
  cairo_restore(cr_);
}

void CairoCanvas::raster(double x, double y, double w, double h, const Raster& image) {
  if (image.width <= 0 || image.height <= 0) return;
  cairo_surface_t* s = surface_of(image);
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  cairo_scale(cr_, w / image.width, h / image.height);
  cairo_set_source_surface(cr_, s, 0, 0);
  // Pixels stay square blocks when enlarged: these are images to look at closely.
  cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
  cairo_paint(cr_);
  cairo_restore(cr_);
  cairo_surface_destroy(s);
}

void CairoCanvas::clip(double x, double y, double w, double h) {
  cairo_save(cr_);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_clip(cr_);
}

void CairoCanvas::unclip() { cairo_restore(cr_); }

}  // namespace aeg::plot
