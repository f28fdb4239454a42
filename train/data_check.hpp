// The checks every app that runs a model on a dataset makes before reading it,
// and the rules by which rows are fed to a model (its scaling, its value range).
#pragma once
#include <memory>
#include <string>

#include "train/model_state.hpp"
#include "io/batch_reader.hpp"
#include "zoo/spec.hpp"

namespace aeg::train {

// Rows as `spec` is fed them: scaled by `scaling`, then refused where a value is
// outside what the model's output can reach (zoo::target_range).
io::FeedRules feed_rules(const zoo::ModelSpec& spec, const io::FeatureScaling& scaling);

// Loads `split` of `data` (first `limit` rows, 0 = all) as the model is fed it,
// after checking that its width is the model's and that a conditional model has
// labels. Errors name the file, the dataset and the checkpoint.
io::SplitArrays load_for_model(const std::string& data, const std::string& split, std::int64_t limit,
                               const LoadedModel& model, const std::string& checkpoint);

// The same checks, then a reader of `split` in file order, `batch` rows at a time,
// that streams it whatever its size (at most ~64 MiB of it held at once).
std::unique_ptr<io::BatchReader> open_for_model(const std::string& data, const std::string& split, std::int64_t limit,
                                                std::int64_t batch, const LoadedModel& model, const std::string& checkpoint);

}  // namespace aeg::train
