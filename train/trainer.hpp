// The training run behind ae-train: epochs over an HDF5 dataset with Adam, a
// test evaluation, a checkpoint and a picture at every epoch end, and resuming
// that gives bitwise the same result as an uninterrupted run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "zoo/spec.hpp"

namespace aeg::train {

struct TrainConfig {
  std::string data;             // dataset file
  std::string out = "model.h5";  // checkpoint (recon.png is written beside it)
  std::int64_t epochs = 5;      // the total to reach
  std::int64_t batch = 256;
  double lr = 1e-3;
  bool lr_given = true;         // false: --resume keeps the checkpoint's learning rate
  std::uint64_t seed = 1;
  int threads = 2;
  std::int64_t train_limit = 0; // use the first N training samples (0 = all)
  std::int64_t test_limit = 0;  // evaluate on the first N test samples (0 = all)
  std::int32_t only_class = -1; // train on one class only (one-class anomaly detection)
  std::int64_t data_memory = 0; // bytes the training split may take in memory (0 = half of what is available)
  std::vector<std::int64_t> image_shape;  // C,H,W of a flat file's features (a file's own image shape wins)
  bool standardize = false;     // fit a per-feature standard scaling on the training rows (a file without /scaling)
  bool resume = false;
  bool quiet = false;
};

struct TrainResult {
  std::int64_t epochs_run = 0;
  double last_train_loss = 0, last_test_loss = 0;
};

// `spec` is the model for the data's shape (zoo::recipe(name, features, image_shape));
// it is checked against the file. Throws on bad input (naming the file and what was wrong) and when the loss
// becomes NaN (naming the epoch and step; the last good checkpoint is kept).
TrainResult fit(zoo::ModelSpec spec, const TrainConfig& config);

}  // namespace aeg::train
