#include "train/model_state.hpp"

#include "zoo/model.hpp"

namespace aeg::train {

io::ParamShapes expected_params(const zoo::ModelSpec& spec) {
  auto m = zoo::build(spec, 1);
  io::ParamShapes r;
  for (int i = 0; i < m->graph.size(); ++i) {
    const Node& n = m->graph.node(i);
    if (n.kind == NodeKind::Param) r.emplace_back(n.name, n.shape);
  }
  return r;
}

LoadedModel load_model(const std::string& path) {
  LoadedModel lm;
  lm.checkpoint = io::load_checkpoint(path);
  try {
    lm.spec = zoo::parse_spec(lm.checkpoint.spec);
  } catch (const std::exception& e) {
    throw io::DataError(path + ": /spec does not describe a model: " + e.what());
  }
  io::check_params_match(lm.checkpoint, expected_params(lm.spec), path);
  io::check_scaling(lm.checkpoint.scaling, lm.spec.features, path + ": /scaling");
  for (const auto& [name, t] : lm.checkpoint.params) lm.params.add(name, t);
  return lm;
}

io::Checkpoint make_checkpoint(const zoo::ModelSpec& spec, const ParamStore<float>& params,
                               const Optimizer<float>& opt) {
  io::Checkpoint ck;
  ck.spec = zoo::to_text(spec);
  for (std::size_t i = 0; i < params.size(); ++i) ck.params.emplace_back(params[i].name, params[i].value);
  ck.optimizer = opt.name();
  ck.optimizer_state = opt.state_tensors();
  ck.optimizer_scalars = opt.state_scalars();
  return ck;
}

}  // namespace aeg::train
