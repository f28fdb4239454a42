#include "train/curves.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "plot/ticks.hpp"
#include "train/evaluate.hpp"
#include "zoo/spec.hpp"

namespace aeg::train {
namespace {

plot::Series curve(const std::string& label, const std::vector<double>& per_epoch, int colour, bool dashed) {
  plot::Series s;
  s.label = label;
  s.color = plot::palette(colour);
  s.dashed = dashed;
  for (std::size_t e = 0; e < per_epoch.size(); ++e)
    if (std::isfinite(per_epoch[e])) {
      s.x.push_back(static_cast<double>(e + 1));
      s.y.push_back(per_epoch[e]);
    }
  return s;
}

// Epochs are whole numbers: ticks at round epoch counts, never between them.
std::vector<plot::Tick> epoch_ticks(std::size_t epochs) {
  std::vector<plot::Tick> t;
  for (double v : plot::nice_ticks(1, static_cast<double>(std::max<std::size_t>(epochs, 2)), 8)) {
    const double e = std::round(v);
    if (std::abs(v - e) < 1e-6 && e >= 1 && e <= static_cast<double>(epochs)) t.push_back({e, plot::tick_label(e, 1)});
  }
  return t;
}

bool use_log(const std::vector<plot::Series>& series) {
  std::vector<double> all;
  for (const auto& s : series) all.insert(all.end(), s.y.begin(), s.y.end());
  return std::all_of(all.begin(), all.end(), [](double v) { return v > 0; }) && plot::spans_decades(all, 1.0);
}

}  // namespace

plot::Figure curves_figure(const io::Checkpoint& ck, const std::string& title) {
  const std::size_t epochs = std::max(ck.train_loss.size(), ck.test_loss.size());
  plot::Axes loss;
  loss.title = "loss per sample";
  loss.x_label = "epoch";
  loss.series.push_back(curve("train (mean over the epoch)", ck.train_loss, 0, false));
  loss.series.push_back(curve("test (at the epoch's end)", ck.test_loss, 1, false));
  loss.log_y = use_log(loss.series);
  loss.y_label = loss.log_y ? "loss (log scale)" : "loss";
  loss.x_ticks = epoch_ticks(epochs);
  if (epochs <= 1) loss.x_range = {0.5, 1.5};

  plot::Figure f;
  f.title = title;
  f.panels.push_back(std::move(loss));
  if (!ck.test_penalties.empty()) {
    plot::Axes pen;
    pen.title = "penalties on the test set (unweighted, per sample)";
    pen.x_label = "epoch";
    int colour = 2;
    for (const auto& [name, v] : ck.test_penalties) pen.series.push_back(curve(name, v, colour++, false));
    pen.log_y = use_log(pen.series);
    pen.y_label = pen.log_y ? "penalty (log scale)" : "penalty";
    pen.x_ticks = f.panels[0].x_ticks;
    pen.x_range = f.panels[0].x_range;
    f.panels.push_back(std::move(pen));
  }
  f.width = 520 * static_cast<int>(f.panels.size()) + 80;
  f.height = 440;
  return f;
}

std::string curves_title(const io::Checkpoint& ck, const std::string& name) {
  std::string recipe = "model";
  try {
    recipe = zoo::parse_spec(ck.spec).recipe;
  } catch (const std::exception&) {  // a hand-built model's spec: the title says "model"
  }
  return recipe + ", " + name + ", epoch " + std::to_string(ck.epoch);
}

std::string curves_stem(const std::string& checkpoint) {
  const std::string folder = std::filesystem::path(checkpoint).parent_path().string();
  return (folder.empty() ? std::string() : folder + "/") + "curves";
}

void CurveHistory::record(const Metrics& m, io::Checkpoint& ck) {
  const std::size_t epochs = ck.test_loss.size();
  for (const auto& [name, value] : m.penalties) {
    auto it = std::find_if(penalties_.begin(), penalties_.end(), [&](const auto& p) { return p.first == name; });
    if (it == penalties_.end()) it = penalties_.insert(penalties_.end(), {name, {}});
    it->second.resize(epochs - 1, NAN);  // NaN for epochs before this history was recorded
    it->second.push_back(value);
  }
  ck.test_penalties = penalties_;
}

void CurveHistory::draw(const io::Checkpoint& ck, const std::string& checkpoint) {
  const std::string name = std::filesystem::path(checkpoint).filename().string();  // the curves lie beside it
  plot::save_png_and_svg(curves_figure(ck, curves_title(ck, name)), curves_stem(checkpoint));
}

}  // namespace aeg::train
