// One-class anomaly detection by reconstruction error: per-sample scores and
// the ROC AUC of telling the normal class from the others.
#pragma once
#include <cstdint>
#include <vector>

namespace aeg::analysis {

struct SampleErrors {
  std::vector<float> mse;  // mean squared error per feature
  std::vector<float> bce;  // mean BCE per feature (reconstructions clamped to [1e-7, 1 - 1e-7])
};

// x and x_hat: n x features.
SampleErrors per_sample_errors(const float* x, const float* x_hat, std::int64_t n, std::int64_t features);

// The area under the ROC curve of `score` as a detector of `positive`, i.e. the
// probability that a random positive scores above a random negative (ties count
// one half). Throws if either class is empty.
double roc_auc(const std::vector<float>& score, const std::vector<bool>& positive);

// The ROC curve of the same detector: (false positive rate, true positive rate)
// at every distinct threshold, from (0, 0) to (1, 1).
struct RocCurve {
  std::vector<double> fpr, tpr;
};
RocCurve roc_curve(const std::vector<float>& score, const std::vector<bool>& positive);

}  // namespace aeg::analysis
