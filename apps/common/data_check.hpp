// The checks every app that runs a model on a dataset makes before reading it.
#pragma once
#include <string>

#include "io/batch_reader.hpp"
#include "zoo/spec.hpp"

namespace aeg::apps {

// Loads `split` of `data` (first `limit` rows, 0 = all) after checking that its
// width is the model's and that a conditional model has labels. Errors name the
// file, the dataset and the checkpoint.
io::SplitArrays load_for_model(const std::string& data, const std::string& split, std::int64_t limit,
                               const zoo::ModelSpec& spec, const std::string& checkpoint);

}  // namespace aeg::apps
