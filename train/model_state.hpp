// A trained model on disk and in memory: a spec, its parameters, and (for
// training) the optimizer and progress, to and from io::Checkpoint.
#pragma once
#include <memory>
#include <string>

#include "engine/optim.hpp"
#include "engine/param_store.hpp"
#include "io/checkpoint.hpp"
#include "train/model_def.hpp"
#include "zoo/spec.hpp"

namespace aeg::train {

struct LoadedModel {
  zoo::ModelSpec spec;        // def.spec
  ModelDef def;
  ParamStore<float> params;
  io::Checkpoint checkpoint;  // everything else it held (optimizer, history, its inputs' scaling, ...)
};

// Parameter names and shapes the spec's graph declares.
io::ParamShapes expected_params(const zoo::ModelSpec& spec);
io::ParamShapes expected_params(const ModelDef& def);

// Loads and checks a checkpoint: the spec parses, every parameter is there with
// its shape. Errors name the file and what does not match.
// A hand-built model's checkpoint (/builder) cannot be rebuilt from the file
// alone: that is refused, naming the model, unless `def` builds it (same name).
LoadedModel load_model(const std::string& path);
LoadedModel load_model(const std::string& path, const ModelDef& def);

io::Checkpoint make_checkpoint(const ModelDef& def, const ParamStore<float>& params, const Optimizer<float>& opt);

}  // namespace aeg::train
