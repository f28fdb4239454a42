#include "analysis/codes_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "plot/projection.hpp"

namespace aeg::analysis {
namespace {

// The 0.5 and 99.5 percentiles, padded: a few far points do not squash the rest.
std::pair<double, double> robust_range(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  double lo = v[n / 200], hi = v[n - 1 - n / 200];
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const double pad = 0.05 * (hi - lo);
  return {lo - pad, hi + pad};
}

std::string percent(double f) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100 * f);
  return buf;
}

}  // namespace

std::string class_name(const std::vector<std::string>& names, std::int32_t k) {
  return k >= 0 && static_cast<std::size_t>(k) < names.size() ? names[static_cast<std::size_t>(k)] : "class " + std::to_string(k);
}

plot::Figure codes_figure(const CodesToPlot& c) {
  const std::string unit = c.variational ? "mu" : "code unit";
  std::vector<double> x(static_cast<std::size_t>(c.n)), y(static_cast<std::size_t>(c.n));
  plot::Axes a;
  if (c.code == 2) {
    for (std::int64_t i = 0; i < c.n; ++i) {
      x[static_cast<std::size_t>(i)] = c.codes[static_cast<std::size_t>(i * 2)];
      y[static_cast<std::size_t>(i)] = c.codes[static_cast<std::size_t>(i * 2 + 1)];
    }
    a.x_label = unit + " 0";
    a.y_label = unit + " 1";
  } else {
    plot::Projection p = plot::principal_components(c.codes, c.n, c.code);
    x = std::move(p.x);
    y = std::move(p.y);
    const std::string of = " of the " + std::to_string(c.code) + "-unit " + (c.variational ? "mu" : "code");
    a.x_label = "principal component 1" + of + " (" + percent(p.explained_1) + " of variance)";
    a.y_label = "principal component 2 (" + percent(p.explained_2) + ")";
  }
  a.x_range = robust_range(x);
  a.y_range = robust_range(y);
  a.legend = plot::LegendPlace::outside_right;
  // One series per class, in label order, so the legend reads 0, 1, 2, ...
  std::map<std::int32_t, plot::Series> by_class;
  for (std::int64_t i = 0; i < c.n; ++i) {
    const std::int32_t k = c.labels.empty() ? 0 : c.labels[static_cast<std::size_t>(i)];
    plot::Series& s = by_class[k];
    s.x.push_back(x[static_cast<std::size_t>(i)]);
    s.y.push_back(y[static_cast<std::size_t>(i)]);
  }
  for (auto& [k, s] : by_class) {
    s.mark = plot::Mark::points;
    s.width = c.n > 20000 ? 1.2 : 1.8;
    s.alpha = 0.55;
    s.color = plot::palette(k);
    if (!c.labels.empty()) s.label = class_name(c.class_names, k);
    a.series.push_back(std::move(s));
  }
  plot::Figure f;
  f.width = 900;
  f.height = 700;
  f.title = c.model + ": " + (c.variational ? "codes (mu)" : "codes") + " of the " + c.split + " split, " +
            std::to_string(c.n) + " samples, " + c.checkpoint;
  f.panels.push_back(std::move(a));
  return f;
}

}  // namespace aeg::analysis
