// A trained model on disk and in memory: a spec, its parameters, and (for
// training) the optimizer and progress, to and from io::Checkpoint.
#pragma once
#include <memory>
#include <string>

#include "engine/optim.hpp"
#include "engine/param_store.hpp"
#include "io/checkpoint.hpp"
#include "zoo/spec.hpp"

namespace aeg::train {

struct LoadedModel {
  zoo::ModelSpec spec;
  ParamStore<float> params;
  io::Checkpoint checkpoint;  // everything else it held (optimizer, history, its inputs' scaling, ...)
};

// Parameter names and shapes the spec's graph declares.
io::ParamShapes expected_params(const zoo::ModelSpec& spec);

// Loads and checks a checkpoint: the spec parses, every parameter is there with
// its shape. Errors name the file and what does not match.
LoadedModel load_model(const std::string& path);

io::Checkpoint make_checkpoint(const zoo::ModelSpec& spec, const ParamStore<float>& params,
                               const Optimizer<float>& opt);

}  // namespace aeg::train
