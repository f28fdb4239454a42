// Test-set figures of a model: its loss and the parts of it, per sample, in
// evaluation plans (no training corruption), over fixed-size batches.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/param_store.hpp"
#include "io/scaling.hpp"
#include "train/model_def.hpp"
#include "zoo/corrupt.hpp"
#include "zoo/spec.hpp"

namespace aeg::io {
class BatchReader;
struct Batch;
}  // namespace aeg::io

namespace aeg::train {

class Ranks;  // train/data_parallel.hpp

struct EvalOptions {
  std::int64_t batch = 500;
  int threads = 2;
  std::uint64_t seed = 1;       // the VAE's sampling, and the noise below
  zoo::NoiseSpec noise = {};    // corrupt the input (the target stays clean): denoising
  bool jacobian = false;        // also the code's mean ||J||_F^2 (as "contractive") where not in the loss
  io::FeatureScaling scaling = {};  // the scaling x went through: the MSE is also given in the data's own units
  // Evaluating from a reader: split its batches over these ranks (each reads and
  // runs its own run of them); every rank gets the figures of one process, to
  // the bit. each_batch then sees this rank's batches only.
  Ranks* ranks = nullptr;
};

struct Metrics {
  std::int64_t samples = 0;
  double loss = 0;              // the training objective, per sample
  double recon = 0;             // BCE or 1/2 sum of squares, per sample
  double bce_px = 0;            // BCE models: recon / features
  double mse_px = 0;            // mean squared error per feature, as the model sees the data (scaled)
  double mse_px_unscaled = 0;   // the same in the data's own units (scaled models only)
  double kl = 0, neg_elbo = 0;  // variational models: KL per sample, recon + KL
  double mean_code = 0;         // mean code activation (sparsity)
  std::int64_t dead_code = 0;   // code units that are 0 on every sample (dead ReLU units)
  std::vector<std::pair<std::string, double>> penalties;  // unweighted, per sample
  bool bce = false, variational = false, scaled = false;
};

// x: n rows of spec.features values; labels (n, or empty) for conditional models.
// With `reconstructions`, also keeps the n x features outputs of the same pass.
// Each function takes a zoo spec or a ModelDef (a hand-built model).
Metrics evaluate(const ModelDef& model, ParamStore<float>& params, const float* x,
                 const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& options,
                 std::vector<float>* reconstructions = nullptr);
Metrics evaluate(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                 const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& options,
                 std::vector<float>* reconstructions = nullptr);

// The same over a split read from its file in order, a batch at a time (a reader
// made with shuffle off and the batch size to evaluate in): the split is never
// held whole. `each_batch`, when given, sees every batch as fed and its
// reconstructions (per-sample scores, written-out reconstructions).
Metrics evaluate(const ModelDef& model, ParamStore<float>& params, io::BatchReader& rows, const EvalOptions& options,
                 const std::function<void(const io::Batch&, const float* recon)>& each_batch = {});
Metrics evaluate(const zoo::ModelSpec& spec, ParamStore<float>& params, io::BatchReader& rows, const EvalOptions& options,
                 const std::function<void(const io::Batch&, const float* recon)>& each_batch = {});

// Reconstructions of n rows (noise, if any, applied to the input first).
std::vector<float> reconstruct(const ModelDef& model, ParamStore<float>& params, const float* x,
                               const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& options);
std::vector<float> reconstruct(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                               const std::vector<std::int32_t>& labels, std::int64_t n,
                               const EvalOptions& options);

// The figures as one JSON object, in the order to_text prints them (NaN and
// infinities become null, which JSON has instead).
nlohmann::ordered_json to_json(const Metrics& m);
std::string to_text(const Metrics& m);

// Fills rows x classes with the one-hot codes of labels[first .. first+rows);
// throws naming the label when one is out of range.
void one_hot(float* dst, const std::vector<std::int32_t>& labels, std::int64_t first, std::int64_t rows,
             std::int64_t classes);

}  // namespace aeg::train
