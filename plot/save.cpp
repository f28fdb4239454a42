#include <cairo.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "plot/cairo_canvas.hpp"
#include "plot/draw.hpp"
#include "plot/svg_canvas.hpp"

namespace aeg::plot {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

void write_png(const Figure& f, const std::string& path) {
  io::TempFile temp(path);
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, f.width, f.height);
  cairo_t* cr = cairo_create(surface);
  CairoCanvas canvas(cr);
  draw(f, canvas);
  cairo_destroy(cr);
  const cairo_status_t st = cairo_surface_write_to_png(surface, temp.path().c_str());
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS)
    throw io::DataError(path + ": cannot write the PNG (" + cairo_status_to_string(st) + ")");
  temp.commit();
}

void write_svg(const Figure& f, const std::string& path) {
  io::TempFile temp(path);
  SvgCanvas canvas(f.width, f.height);
  draw(f, canvas);
  const std::string text = canvas.finish();
  {
    std::ofstream out(temp.path(), std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw io::DataError(path + ": cannot write the SVG (" + std::strerror(errno) + ")");
  }
  temp.commit();
}

}  // namespace

void save(const Figure& f, const std::string& path) {
  if (f.panels.empty()) throw std::invalid_argument(path + ": a figure with no panels to draw");
  if (f.width < 16 || f.height < 16 || f.width > 20000 || f.height > 20000)
    throw std::invalid_argument(path + ": a figure of " + std::to_string(f.width) + " x " + std::to_string(f.height) +
                                " pixels, expected 16 to 20000 each way");
  if (ends_with(path, ".png")) return write_png(f, path);
  if (ends_with(path, ".svg")) return write_svg(f, path);
  throw std::invalid_argument(path + ": a plot is written as .png or .svg, chosen by the file's extension");
}

void save_png_and_svg(const Figure& f, const std::string& stem) {
  save(f, stem + ".png");
  save(f, stem + ".svg");
}

}  // namespace aeg::plot
