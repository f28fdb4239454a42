#include "train/model_state.hpp"

#include "zoo/model.hpp"

namespace aeg::train {

io::ParamShapes expected_params(const zoo::ModelSpec& spec) { return expected_params(ModelDef::zoo(spec)); }

io::ParamShapes expected_params(const ModelDef& def) {
  auto m = def.make(1);
  io::ParamShapes r;
  for (int i = 0; i < m->graph.size(); ++i) {
    const Node& n = m->graph.node(i);
    if (n.kind == NodeKind::Param) r.emplace_back(n.name, n.shape);
  }
  return r;
}

namespace {

LoadedModel load(const std::string& path, const ModelDef* given) {
  LoadedModel lm;
  lm.checkpoint = io::load_checkpoint(path);
  const std::string& builder = lm.checkpoint.builder;
  if (!builder.empty() && !given)
    throw io::DataError(path + ": the model was built by a program ('" + builder +
                        "', /builder), not from a zoo spec, so it cannot be rebuilt from the file alone; load it in that "
                        "program (train::load_model(path, def))");
  if (given && builder != given->name)
    throw io::DataError(path + ": /builder is " + (builder.empty() ? "absent (a zoo model)" : "'" + builder + "'") +
                        ", expected " + (given->name.empty() ? "a zoo model" : "'" + given->name + "'"));
  try {
    lm.spec = zoo::parse_spec(lm.checkpoint.spec);
  } catch (const std::exception& e) {
    throw io::DataError(path + ": /spec does not describe a model: " + e.what());
  }
  if (given && given->is_hand_built()) {
    lm.def = *given;
    lm.spec = given->spec;
  } else {
    lm.def = ModelDef::zoo(lm.spec);
  }
  io::check_params_match(lm.checkpoint, expected_params(lm.def), path);
  io::check_scaling(lm.checkpoint.scaling, lm.spec.features, path + ": /scaling");
  for (const auto& [name, t] : lm.checkpoint.params) lm.params.add(name, t);
  return lm;
}

}  // namespace

LoadedModel load_model(const std::string& path) { return load(path, nullptr); }
LoadedModel load_model(const std::string& path, const ModelDef& def) { return load(path, &def); }

io::Checkpoint make_checkpoint(const ModelDef& def, const ParamStore<float>& params, const Optimizer<float>& opt) {
  io::Checkpoint ck;
  ck.spec = zoo::to_text(def.spec);
  ck.builder = def.name;
  for (std::size_t i = 0; i < params.size(); ++i) ck.params.emplace_back(params[i].name, params[i].value);
  ck.optimizer = opt.name();
  ck.optimizer_state = opt.state_tensors();
  ck.optimizer_scalars = opt.state_scalars();
  return ck;
}

}  // namespace aeg::train
