// ae-eval --anomaly --normal-class K --plot: the ROC curve with its AUC beside
// the histograms of the score for normal and anomalous samples.
#pragma once
#include <string>
#include <vector>

#include "plot/figure.hpp"

namespace aeg::analysis {

struct AnomalyToPlot {
  std::vector<float> score;
  std::vector<bool> anomalous;
  double auc = 0;
  std::string score_name;   // "mse" or "bce"
  std::string normal_name;  // the normal class's name (or "class K")
  std::string checkpoint, split;
};

plot::Figure anomaly_figure(const AnomalyToPlot& a);

}  // namespace aeg::analysis
