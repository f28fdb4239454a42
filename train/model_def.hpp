// The model the trainer and the evaluator run: a zoo spec, or a graph that a
// program builds by hand, with the roles of its nodes named in a zoo::Model
// (x, recon, loss, code, and label for a conditional model).
//
//   auto def = train::ModelDef::hand_built("my-tied-dae", interface,
//       [](std::int64_t batch, const zoo::BuildOptions& o) { ... return model; });
//   train::fit(def, config);
//
// A hand-built model's checkpoint keeps its name (/builder) and parameters, not
// its graph: only the program that built it can load it again (load_model(path, def));
// the apps say so and stop.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "zoo/model.hpp"
#include "zoo/spec.hpp"

namespace aeg::train {

// Builds the graph for `batch` rows. With options.separate_target, `target` must
// be an input of its own (the evaluator feeds it the clean rows while x may be
// corrupted); otherwise target may be x.
using BuildFn = std::function<std::unique_ptr<zoo::Model>(std::int64_t batch, const zoo::BuildOptions& options)>;

struct ModelDef {
  // A zoo model: the whole model. A hand-built one: its interface, which the
  // trainer checks data against and the evaluator reports by: features,
  // image_shape (pictures; empty if not images), code, loss (BCE or MSE),
  // output (the range targets must lie in), conditional and classes, variational.
  zoo::ModelSpec spec;
  std::string name;  // hand-built: the name its checkpoints keep; "" for a zoo spec
  BuildFn build;     // hand-built: the graph; empty for a zoo spec

  static ModelDef zoo(zoo::ModelSpec spec);
  static ModelDef hand_built(std::string name, zoo::ModelSpec interface, BuildFn build);
  bool is_hand_built() const { return static_cast<bool>(build); }

  // The graph at `batch` rows, its roles checked against spec (x and recon are
  // batch x features, loss a scalar, code batch x code, a label input for a
  // conditional model); throws std::invalid_argument naming the role.
  std::unique_ptr<zoo::Model> make(std::int64_t batch, const zoo::BuildOptions& options = {}) const;
};

}  // namespace aeg::train
