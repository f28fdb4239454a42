// The training run behind ae-train: epochs over an HDF5 dataset with Adam, a
// test evaluation, a checkpoint and a picture at every epoch end, and resuming
// that gives bitwise the same result as an uninterrupted run.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "train/model_def.hpp"
#include "zoo/spec.hpp"

namespace aeg::train {

class Ranks;

struct TrainConfig {
  std::string data = {};        // dataset file
  std::string out = "model.h5";  // checkpoint (recon.png is written beside it)
  std::int64_t epochs = 5;      // the total to reach
  // Unset: RunSettings' default (run_settings.hpp), or with `resume` the
  // checkpoint's own; a value given on resume that differs is said.
  std::optional<std::int64_t> batch = {};        // 256
  std::optional<double> lr = {};                 // Adam's 1e-3 (resume: the optimizer's own)
  std::optional<std::uint64_t> seed = {};        // 1: initialisation, shuffling, noise
  std::optional<std::int64_t> train_limit = {};  // the first N training samples (0 = all)
  std::optional<std::int64_t> test_limit = {};   // evaluate on the first N test samples (0 = all)
  std::optional<std::int32_t> only_class = {};   // train on one class only (one-class anomaly detection; -1 = all)
  std::optional<bool> drop_last = {};            // false: every sample each epoch, the last batch smaller
  int threads = 2;
  std::int64_t data_memory = 0; // bytes the training split may take in memory (0 = half of what is available)
  std::vector<std::int64_t> image_shape = {};  // C,H,W of a flat file's features (a file's own image shape wins)
  bool standardize = false;     // fit a per-feature standard scaling on the training rows (a file without /scaling)
  bool resume = false;
  bool quiet = false;
  int picture_scale = 0;        // recon.png's pixels drawn N x N (0: write_image_grid's default)
  // Data-parallel training (train/data_parallel.hpp): over these ranks (MPI's, from
  // aegraph_mpi), each summing the gradients of its blocks of every batch (an
  // epoch's last, smaller one too unless drop_last); evaluation is split over
  // them, rank 0 alone writes. grad_blocks: blocks per batch (0: block_layout's choice); with no
  // ranks, > 0 runs the same steps in one process, to the same bits.
  Ranks* ranks = nullptr;
  std::int64_t grad_blocks = 0;
};

struct TrainResult {
  std::int64_t epochs_run = 0;
  double last_train_loss = 0, last_test_loss = 0;
};

// `spec` is the model for the data's shape (zoo::recipe(name, features, image_shape));
// it is checked against the file. Throws on bad input (naming the file and what was wrong) and when the loss
// becomes NaN (naming the epoch and step; the last good checkpoint is kept).
TrainResult fit(zoo::ModelSpec spec, const TrainConfig& config);
// The same for any model (model_def.hpp), e.g. one built by hand: its graph is
// built at the batch size and, for the last batch of an epoch, at that size
// (the two share the parameters).
TrainResult fit(const ModelDef& model, const TrainConfig& config);

}  // namespace aeg::train
