#include "plot/svg_canvas.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "plot/cairo_canvas.hpp"

namespace aeg::plot {
namespace {

std::string hex(Rgb c) {
  auto b = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", b(c.r), b(c.g), b(c.b));
  return buf;
}

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char ch : s) switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += ch;
    }
  return o;
}

SvgCanvas::SvgCanvas(int width, int height) {
  out_.precision(6);
  out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       << "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"" << width
       << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"" << kFontFamily
       << ", sans-serif\">\n";
}

void SvgCanvas::polyline(const std::vector<Point>& pts, Rgb c, double width, double alpha, bool dashed) {
  if (pts.size() < 2) return;
  out_ << "<polyline fill=\"none\" stroke=\"" << hex(c) << "\" stroke-width=\"" << width << "\" stroke-linejoin=\"round\"";
  if (alpha < 1) out_ << " stroke-opacity=\"" << alpha << "\"";
  if (dashed) out_ << " stroke-dasharray=\"6 4\"";
  out_ << " points=\"";
  for (const Point& p : pts) out_ << p.x << "," << p.y << " ";
  out_ << "\"/>\n";
}

void SvgCanvas::rect(double x, double y, double w, double h, Rgb c, double alpha) {
  out_ << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h << "\" fill=\"" << hex(c) << "\"";
  if (alpha < 1) out_ << " fill-opacity=\"" << alpha << "\"";
  out_ << "/>\n";
}

void SvgCanvas::frame(double x, double y, double w, double h, Rgb c, double width) {
  out_ << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h << "\" fill=\"none\" stroke=\""
       << hex(c) << "\" stroke-width=\"" << width << "\"/>\n";
}

void SvgCanvas::dots(const std::vector<Point>& centres, double radius, Rgb c, double alpha) {
  if (centres.empty()) return;
  // One group per colour keeps a 10,000-point scatter plot small.
  out_ << "<g fill=\"" << hex(c) << "\"" << (alpha < 1 ? " fill-opacity=\"" + std::to_string(alpha) + "\"" : "") << ">\n";
  out_.precision(4);
  for (const Point& p : centres) out_ << "<circle cx=\"" << p.x << "\" cy=\"" << p.y << "\" r=\"" << radius << "\"/>\n";
  out_.precision(6);
  out_ << "</g>\n";
}

void SvgCanvas::text(double x, double y, const std::string& s, Font font, Anchor anchor, Rgb c, double angle) {
  static const char* anchors[] = {"start", "middle", "end"};
  out_ << "<text x=\"" << x << "\" y=\"" << y << "\" font-size=\"" << font.size << "\"";
  if (font.bold) out_ << " font-weight=\"bold\"";
  if (anchor != Anchor::start) out_ << " text-anchor=\"" << anchors[static_cast<int>(anchor)] << "\"";
  if (c.r != 0 || c.g != 0 || c.b != 0) out_ << " fill=\"" << hex(c) << "\"";
  if (angle != 0) out_ << " transform=\"rotate(" << angle << " " << x << " " << y << ")\"";
  out_ << ">" << xml_escape(s) << "</text>\n";
}

void SvgCanvas::raster(double x, double y, double w, double h, const Raster& image) {
  if (image.width <= 0 || image.height <= 0) return;
  cairo_surface_t* s = surface_of(image);
  std::string png;
  cairo_surface_write_to_png_stream(s, append, &png);
  cairo_surface_destroy(s);
  out_ << "<image x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h
       << "\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,"
       << base64(png) << "\"/>\n";
}

void SvgCanvas::clip(double x, double y, double w, double h) {
  const int id = clips_++;
  out_ << "<clipPath id=\"clip" << id << "\"><rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h
       << "\"/></clipPath>\n<g clip-path=\"url(#clip" << id << ")\">\n";
  ++open_;
}

void SvgCanvas::unclip() {
  if (open_ == 0) return;
  out_ << "</g>\n";
  --open_;
}

std::string SvgCanvas::finish() {
  while (open_ > 0) unclip();
  out_ << "</svg>\n";
  return out_.str();
}

}  // namespace aeg::plot
