#include "analysis/anomaly_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/anomaly.hpp"
#include "plot/histogram.hpp"

namespace aeg::analysis {

plot::Figure anomaly_figure(const AnomalyToPlot& a) {
  const RocCurve r = roc_curve(a.score, a.anomalous);
  plot::Axes roc;
  roc.title = "ROC: anomalies told from " + a.normal_name;
  roc.x_label = "false positive rate (normal samples flagged)";
  roc.y_label = "true positive rate (anomalies flagged)";
  roc.x_range = {0, 1};
  roc.y_range = {0, 1};
  plot::Series chance{.label = "chance", .x = {0, 1}, .y = {0, 1}, .color = {0.6, 0.6, 0.6}, .width = 1, .dashed = true};
  plot::Series curve{.label = "score " + a.score_name, .x = r.fpr, .y = r.tpr, .color = plot::palette(0)};
  roc.series = {curve, chance};
  roc.legend = plot::LegendPlace::lower_right;
  char auc[32];
  std::snprintf(auc, sizeof auc, "AUC %.4f", a.auc);
  roc.notes = {auc};

  // Bins over the bulk of the scores: a few huge errors would leave the rest in one bin.
  std::vector<float> sorted;
  for (float s : a.score)
    if (std::isfinite(s)) sorted.push_back(s);
  std::sort(sorted.begin(), sorted.end());
  const double lo = sorted.empty() ? 0 : sorted.front();
  double hi = sorted.empty() ? 1 : sorted[sorted.size() - 1 - sorted.size() / 200];
  if (!(hi > lo)) hi = lo + 1;
  std::vector<float> normal, anomalous;
  for (std::size_t i = 0; i < a.score.size(); ++i) (a.anomalous[i] ? anomalous : normal).push_back(a.score[i]);
  plot::Axes hist;
  hist.title = "score per sample (99.5 % of samples shown)";
  hist.x_label = "reconstruction error (" + a.score_name + " per feature)";
  hist.y_label = "density";
  plot::Series hn = plot::histogram(normal, lo, hi, 50, true), ha = plot::histogram(anomalous, lo, hi, 50, true);
  hn.label = "normal: " + a.normal_name + " (" + std::to_string(normal.size()) + ")";
  hn.color = plot::palette(0);
  ha.label = "anomalous: the other classes (" + std::to_string(anomalous.size()) + ")";
  ha.color = plot::palette(3);
  hist.series = {hn, ha};

  plot::Figure f;
  f.width = 1100;
  f.height = 480;
  f.title = "one-class anomaly detection, " + a.checkpoint + ", " + a.split + " split";
  f.panels = {std::move(roc), std::move(hist)};
  return f;
}

}  // namespace aeg::analysis
