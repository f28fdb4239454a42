#include "plot/draw.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "plot/ticks.hpp"

namespace aeg::plot {
namespace {

constexpr Rgb kBlack{0, 0, 0}, kGrey{0.35, 0.35, 0.35}, kGrid{0.9, 0.9, 0.9}, kWhite{1, 1, 1};
constexpr Font kTickFont{11, false}, kLabelFont{13, false}, kTitleFont{14, true}, kFigureTitleFont{16, true};
constexpr Font kLegendFont{12, false};

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return !(hi >= lo); }
};

// The axes' extents in plotted units (log10 of y on a log axis), padded by 5 %
// unless given or set by a raster, which fills its rectangle exactly.
std::pair<Range, Range> extents(const Axes& a) {
  Range x, y;
  auto fy = [&](double v) { return a.log_y ? (v > 0 ? std::log10(v) : NAN) : v; };
  for (const Series& s : a.series) {
    for (double v : s.x) x.add(v);
    for (double v : s.y) y.add(fy(v));
    if (s.mark == Mark::bars && !a.log_y) y.add(0);
  }
  bool pad = true;
  if (a.image) {
    x.add(a.image->x0), x.add(a.image->x1), y.add(fy(a.image->y0)), y.add(fy(a.image->y1));
    pad = false;  // the tiles fill the plot exactly
  }
  for (Range* r : {&x, &y}) {
    if (r->empty()) *r = Range{0, 1};
    if (r->hi - r->lo < 1e-12 * std::max(1.0, std::abs(r->lo))) {
      r->lo -= 0.5;
      r->hi += 0.5;
    } else if (pad) {
      const double p = 0.05 * (r->hi - r->lo);
      r->lo -= p;
      r->hi += p;
    }
  }
  if (a.x_range) x = Range{a.x_range->first, a.x_range->second};
  if (a.y_range) y = Range{fy(a.y_range->first), fy(a.y_range->second)};
  for (Range* r : {&x, &y})  // a given range may be empty or reversed: never divide by zero
    if (!std::isfinite(r->lo) || !std::isfinite(r->hi)) *r = Range{0, 1};
    else if (!(r->hi > r->lo)) *r = Range{r->lo - 0.5, r->lo + 0.5};
  return {x, y};
}

std::vector<Tick> auto_ticks(double lo, double hi, bool log) {
  std::vector<Tick> t;
  if (log) {
    for (double v : log_ticks(std::pow(10.0, lo), std::pow(10.0, hi)))
      if (std::log10(v) >= lo - 1e-9 && std::log10(v) <= hi + 1e-9) t.push_back({v, tick_label(v, v)});
    if (t.size() >= 2) return t;
    t.clear();  // less than a decade between round values: linear ticks, still placed on the log scale
    const std::vector<double> lin = nice_ticks(std::pow(10.0, lo), std::pow(10.0, hi), 5);
    const double step = lin.size() > 1 ? lin[1] - lin[0] : 1;
    for (double v : lin)
      if (v > 0 && std::log10(v) >= lo - 1e-9 && std::log10(v) <= hi + 1e-9) t.push_back({v, tick_label(v, step)});
    return t;
  }
  const std::vector<double> v = nice_ticks(lo, hi);
  const double step = v.size() > 1 ? v[1] - v[0] : 1;
  for (double x : v)
    if (x >= lo - 1e-9 * step && x <= hi + 1e-9 * step) t.push_back({x, tick_label(x, step)});
  return t;
}

// A title too wide for its space is set smaller (down to 8 px) rather than cut off.
Font fitted(const std::string& s, Font f, double width) {
  const double w = text_width(s, f);
  if (w > width && w > 0) f.size = std::max(8.0, f.size * width / w);
  return f;
}

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
};

std::vector<const Series*> legend_entries(const Axes& a) {
  std::vector<const Series*> e;
  for (const Series& s : a.series)
    if (!s.label.empty()) e.push_back(&s);
  return e;
}

double legend_width(const Axes& a) {
  double w = 0;
  for (const Series* s : legend_entries(a)) w = std::max(w, text_width(s->label, kLegendFont));
  return w > 0 ? w + 42 : 0;
}

void draw_swatch(Canvas& c, const Series& s, double x, double y) {
  switch (s.mark) {
    case Mark::line: c.polyline({{x, y}, {x + 22, y}}, s.color, std::max(2.0, s.width), 1, s.dashed); break;
    case Mark::points: c.dots({{x + 11, y}}, 4.5, s.color, 1); break;
    case Mark::bars: c.rect(x + 3, y - 6, 16, 12, s.color, std::max(0.5, s.alpha)); break;
  }
}

void draw_legend(Canvas& c, const Axes& a, const Box& plot) {
  const auto entries = legend_entries(a);
  if (entries.empty()) return;
  const double row = 18, w = legend_width(a), h = row * static_cast<double>(entries.size()) + 8;
  double x = plot.x + plot.w - w - 8, y = plot.y + 8;
  switch (a.legend) {
    case LegendPlace::upper_right: break;
    case LegendPlace::lower_right: y = plot.y + plot.h - h - 8; break;
    case LegendPlace::upper_left: x = plot.x + 8; break;
    case LegendPlace::outside_right: x = plot.x + plot.w + 10; break;
  }
  c.rect(x, y, w, h, kWhite, 0.85);
  c.frame(x, y, w, h, {0.8, 0.8, 0.8}, 1);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const double cy = y + 4 + row * (static_cast<double>(i) + 0.5);
    draw_swatch(c, *entries[i], x + 6, cy);
    c.text(x + 34, cy + 4, entries[i]->label, kLegendFont, Anchor::start, kBlack);
  }
}

void draw_notes(Canvas& c, const Axes& a, const Box& plot) {
  if (a.notes.empty()) return;
  double w = 0;
  for (const auto& n : a.notes) w = std::max(w, text_width(n, kLabelFont));
  const double row = 18, h = row * static_cast<double>(a.notes.size()) + 8;
  // Out of the legend's way; above a lower-right legend, where a rising curve (ROC) leaves room.
  double x = a.legend == LegendPlace::upper_left ? plot.x + plot.w - w - 24 : plot.x + 8, y = plot.y + 8;
  if (a.legend == LegendPlace::lower_right) {
    const double legend_h = 18 * static_cast<double>(legend_entries(a).size()) + 8;
    x = plot.x + plot.w - w - 24;
    y = plot.y + plot.h - 8 - (legend_h > 8 ? legend_h + 8 : 0) - h;
  }
  c.rect(x, y, w + 16, h, kWhite, 0.85);
  c.frame(x, y, w + 16, h, {0.8, 0.8, 0.8}, 1);
  for (std::size_t i = 0; i < a.notes.size(); ++i)
    c.text(x + 8, y + 4 + row * (static_cast<double>(i) + 0.5) + 5, a.notes[i], kLabelFont, Anchor::start, kBlack);
}

struct Margins {
  double left = 0, right = 0, top = 0, bottom = 0;
};

std::vector<Tick> y_ticks_of(const Axes& a, const Range& yr) {
  if (!a.y_ticks_shown) return {};
  return a.y_ticks.empty() ? auto_ticks(yr.lo, yr.hi, a.log_y) : a.y_ticks;
}

// What is written around the plot: tick labels, axis labels, the title, an outside legend.
Margins margins(const Axes& a, const std::vector<Tick>& yt) {
  double y_tick_w = 0;
  for (const Tick& t : yt) y_tick_w = std::max(y_tick_w, text_width(t.label, kTickFont));
  Margins m;
  m.left = 10 + (a.y_label.empty() ? 0 : 20) + y_tick_w + 8;
  m.bottom = 8 + 16 + (a.x_label.empty() ? 0 : 22);
  m.top = a.title.empty() ? 12 : 34;
  m.right = 16 + (a.legend == LegendPlace::outside_right ? legend_width(a) + 10 : 0);
  return m;
}

constexpr double kFigureTitleHeight = 30;

void draw_axes(Canvas& c, const Axes& a, const Box& panel) {
  const auto [xr, yr] = extents(a);
  auto fy = [&](double v) { return a.log_y ? std::log10(v) : v; };
  std::vector<Tick> xt = !a.x_ticks_shown ? std::vector<Tick>{} : a.x_ticks.empty() ? auto_ticks(xr.lo, xr.hi, false) : a.x_ticks;
  std::vector<Tick> yt = y_ticks_of(a, yr);
  const Margins m = margins(a, yt);
  const Box plot{panel.x + m.left, panel.y + m.top, std::max(10.0, panel.w - m.left - m.right),
                 std::max(10.0, panel.h - m.top - m.bottom)};
  auto px = [&](double v) { return plot.x + (v - xr.lo) / (xr.hi - xr.lo) * plot.w; };
  auto py = [&](double v) { return plot.y + plot.h - (fy(v) - yr.lo) / (yr.hi - yr.lo) * plot.h; };
  auto inside_x = [&](double v) { return v >= xr.lo - 1e-9 * (xr.hi - xr.lo) && v <= xr.hi + 1e-9 * (xr.hi - xr.lo); };
  auto inside_y = [&](double v) {
    const double f = fy(v);
    return f >= yr.lo - 1e-9 * (yr.hi - yr.lo) && f <= yr.hi + 1e-9 * (yr.hi - yr.lo);
  };

  c.rect(plot.x, plot.y, plot.w, plot.h, kWhite, 1);
  if (a.grid && !a.image) {
    for (const Tick& t : xt)
      if (inside_x(t.at)) c.polyline({{px(t.at), plot.y}, {px(t.at), plot.y + plot.h}}, kGrid, 1, 1, false);
    for (const Tick& t : yt)
      if (inside_y(t.at)) c.polyline({{plot.x, py(t.at)}, {plot.x + plot.w, py(t.at)}}, kGrid, 1, 1, false);
  }

  c.clip(plot.x, plot.y, plot.w, plot.h);
  if (a.image) {
    const Raster& r = *a.image;
    const double x0 = px(r.x0), x1 = px(r.x1), y0 = py(r.y1), y1 = py(r.y0);
    c.raster(std::min(x0, x1), std::min(y0, y1), std::abs(x1 - x0), std::abs(y1 - y0), r);
  }
  for (const Series& s : a.series) {
    std::vector<Point> pts;
    if (s.mark == Mark::bars) {
      for (std::size_t i = 0; i + 1 < s.x.size() && i < s.y.size(); ++i) {
        if (!(s.y[i] > 0)) continue;
        const double base = a.log_y ? plot.y + plot.h : py(0);
        const double top_y = py(s.y[i]);
        c.rect(px(s.x[i]), top_y, px(s.x[i + 1]) - px(s.x[i]), base - top_y, s.color, s.alpha);
      }
      continue;
    }
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (a.log_y && !(s.y[i] > 0))) continue;
      pts.push_back({px(s.x[i]), py(s.y[i])});
    }
    if (s.mark == Mark::points) c.dots(pts, s.width, s.color, s.alpha);
    else if (pts.size() == 1) c.dots(pts, s.width + 1.5, s.color, s.alpha);
    else c.polyline(pts, s.color, s.width, s.alpha, s.dashed);
    if (s.mark == Mark::line && !s.dashed && pts.size() > 1 && pts.size() <= 40)  // few points: show where each is
      c.dots(pts, s.width + 1.5, s.color, s.alpha);
  }
  c.unclip();
  c.frame(plot.x, plot.y, plot.w, plot.h, kBlack, 1);

  for (const Tick& t : xt) {
    if (!inside_x(t.at)) continue;
    c.polyline({{px(t.at), plot.y + plot.h}, {px(t.at), plot.y + plot.h + 5}}, kBlack, 1, 1, false);
    c.text(px(t.at), plot.y + plot.h + 18, t.label, kTickFont, Anchor::middle, kBlack);
  }
  for (const Tick& t : yt) {
    if (!inside_y(t.at)) continue;
    c.polyline({{plot.x - 5, py(t.at)}, {plot.x, py(t.at)}}, kBlack, 1, 1, false);
    c.text(plot.x - 8, py(t.at) + 4, t.label, kTickFont, Anchor::end, kBlack);
  }
  if (!a.x_label.empty()) c.text(plot.x + plot.w / 2, panel.y + panel.h - 8, a.x_label, kLabelFont, Anchor::middle, kGrey);
  if (!a.y_label.empty()) c.text(panel.x + 22, plot.y + plot.h / 2, a.y_label, kLabelFont, Anchor::middle, kGrey, -90);
  if (!a.title.empty())
    c.text(plot.x + plot.w / 2, panel.y + 22, a.title, fitted(a.title, kTitleFont, panel.w - 10), Anchor::middle, kBlack);
  draw_legend(c, a, plot);
  draw_notes(c, a, plot);
}

}  // namespace

void draw(const Figure& f, Canvas& c) {
  c.rect(0, 0, f.width, f.height, kWhite, 1);
  const double top = f.title.empty() ? 0 : kFigureTitleHeight;
  if (!f.title.empty()) c.text(f.width / 2.0, 22, f.title, fitted(f.title, kFigureTitleFont, f.width - 20), Anchor::middle, kBlack);
  const double w = static_cast<double>(f.width) / static_cast<double>(f.panels.size());
  for (std::size_t i = 0; i < f.panels.size(); ++i)
    draw_axes(c, f.panels[i], {w * static_cast<double>(i), top, w, f.height - top});
}

std::pair<int, int> size_for_plot_area(const Figure& f, double width, double height) {
  if (f.panels.size() != 1) throw std::invalid_argument("size_for_plot_area: expected a figure of one panel");
  const Axes& a = f.panels[0];
  const Margins m = margins(a, y_ticks_of(a, extents(a).second));
  return {static_cast<int>(std::lround(width + m.left + m.right)),
          static_cast<int>(std::lround(height + m.top + m.bottom + (f.title.empty() ? 0 : kFigureTitleHeight)))};
}

}  // namespace aeg::plot
