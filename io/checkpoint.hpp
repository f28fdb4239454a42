// Checkpoints (HDF5, readable by h5py):
//   /                       attributes format_version (2), aegraph_version
//   /spec                   model spec text
//   /builder                optional: the name a program gave its hand-built
//                           model (absent: the spec alone rebuilds the model)
//   /training               optional: the run's settings ("key = value" lines:
//                           batch, seed, ...), which --resume keeps
//   /params/<name>          float32, one per parameter ('/' in a name makes groups);
//                           /params attribute `names` keeps the order
//   /optimizer              attribute `name` ("adam", ...)
//   /optimizer/state/<name> float32 (e.g. m/W_e), attribute `names`
//   /optimizer/scalars/<name> float64 scalars (e.g. step), attribute `names`
//   /epoch, /step           int64
//   /rng_state              text
//   /train_loss, /test_loss float64, one per epoch
//   /test_penalty/<name>    optional float64, one per epoch (NaN before it was recorded): each
//                           penalty's test value, unweighted, per sample (e.g. kl); attribute `names`
//   /scaling                optional: the per-feature scaling the model's inputs
//                           get (io/scaling_h5.hpp: attribute method, offset, scale)
// Format 1 (before /scaling) still loads, as a model without scaling.
// Saved to "<path>.tmp-<pid>", flushed, fsynced, renamed over `path`: a crash
// leaves the previous checkpoint intact.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor.hpp"
#include "io/error.hpp"
#include "io/scaling.hpp"

namespace aeg::io {

inline constexpr std::int64_t kCheckpointFormat = 2;

struct Checkpoint {
  std::string spec;                                                  // model spec text (opaque to io)
  std::string builder;                                               // hand-built model's name ("": a zoo spec)
  std::string training;                                              // the run's settings (opaque to io)
  std::vector<std::pair<std::string, Tensor<float>>> params;         // by name
  std::string optimizer;                                             // e.g. "adam"
  std::vector<std::pair<std::string, Tensor<float>>> optimizer_state;  // e.g. "m/W_e"
  std::vector<std::pair<std::string, double>> optimizer_scalars;     // e.g. "step"
  std::int64_t epoch = 0, step = 0;
  std::string rng_state;
  std::vector<double> train_loss, test_loss;                         // per epoch
  std::vector<std::pair<std::string, std::vector<double>>> test_penalties;  // per epoch, by name (e.g. "kl")
  FeatureScaling scaling;                                            // what the model's inputs get (empty: none)
};

// Names: non-empty '/'-separated parts, no "." or "..", no name that is a
// prefix group of another ("enc" and "enc/W"). Throws std::invalid_argument /
// DataError; never leaves a partial file.
void save_checkpoint(const std::string& path, const Checkpoint& ck);

// Checks the file is HDF5, its format_version is supported and every required
// dataset exists with a usable type. Throws DataError naming file, dataset, expectation.
Checkpoint load_checkpoint(const std::string& path);

using ParamShapes = std::vector<std::pair<std::string, Shape>>;

struct ParamMismatch {
  std::vector<std::string> missing;      // expected, not in the checkpoint
  std::vector<std::string> extra;        // in the checkpoint, not expected
  std::vector<std::string> wrong_shape;  // "enc/W has shape [784, 32], expected [784, 64]"
  bool ok() const { return missing.empty() && extra.empty() && wrong_shape.empty(); }
};
ParamMismatch compare_params(const Checkpoint& ck, const ParamShapes& expected);

// Throws DataError listing every missing, extra and wrongly shaped parameter,
// e.g. "run.h5: parameters do not match the model: missing /params/dec/b [784]; ..."
void check_params_match(const Checkpoint& ck, const ParamShapes& expected,
                        const std::string& file = "checkpoint");

}  // namespace aeg::io
