#include "analysis/anomaly.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace aeg::analysis {

SampleErrors per_sample_errors(const float* x, const float* y, std::int64_t n, std::int64_t f) {
  SampleErrors e;
  e.mse.resize(static_cast<std::size_t>(n));
  e.bce.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double sq = 0, bce = 0;
    for (std::int64_t j = i * f; j < (i + 1) * f; ++j) {
      const double t = x[j], p = std::clamp(static_cast<double>(y[j]), 1e-7, 1 - 1e-7);
      sq += (y[j] - t) * (y[j] - t);
      bce -= t * std::log(p) + (1 - t) * std::log(1 - p);
    }
    e.mse[static_cast<std::size_t>(i)] = static_cast<float>(sq / static_cast<double>(f));
    e.bce[static_cast<std::size_t>(i)] = static_cast<float>(bce / static_cast<double>(f));
  }
  return e;
}

double roc_auc(const std::vector<float>& score, const std::vector<bool>& positive) {
  if (score.size() != positive.size()) throw std::invalid_argument("roc_auc: one label per score expected");
  // Mann-Whitney: the rank sum of the positives, with tied scores given their mean rank.
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  double rank_sum = 0;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) ++j;
    const double mean_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k)
      if (positive[order[k]]) {
        rank_sum += mean_rank;
        ++pos;
      }
    i = j;
  }
  const std::size_t neg = score.size() - pos;
  if (pos == 0 || neg == 0) throw std::invalid_argument("roc_auc: needs both normal and anomalous samples");
  const double p = static_cast<double>(pos), q = static_cast<double>(neg);
  return (rank_sum - p * (p + 1) / 2) / (p * q);
}

RocCurve roc_curve(const std::vector<float>& score, const std::vector<bool>& positive) {
  if (score.size() != positive.size()) throw std::invalid_argument("roc_curve: one label per score expected");
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  const auto pos = static_cast<double>(std::count(positive.begin(), positive.end(), true));
  const double neg = static_cast<double>(score.size()) - pos;
  if (pos == 0 || neg == 0) throw std::invalid_argument("roc_curve: needs both normal and anomalous samples");
  RocCurve r{{0}, {0}};
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;  // tied scores pass the threshold together: one diagonal step
    for (; j < order.size() && score[order[j]] == score[order[i]]; ++j) (positive[order[j]] ? tp : fp) += 1;
    r.fpr.push_back(fp / neg);
    r.tpr.push_back(tp / pos);
    i = j;
  }
  return r;
}

}  // namespace aeg::analysis
