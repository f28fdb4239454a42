#include "train/model_def.hpp"

#include <stdexcept>

namespace aeg::train {

ModelDef ModelDef::zoo(zoo::ModelSpec spec) { return ModelDef{std::move(spec), "", {}}; }

ModelDef ModelDef::hand_built(std::string name, zoo::ModelSpec interface, BuildFn build) {
  if (name.empty()) throw std::invalid_argument("a hand-built model needs a name (its checkpoints keep it)");
  if (!build) throw std::invalid_argument("hand-built model '" + name + "': no build function");
  interface.recipe = name;
  zoo::validate(interface);  // what checkpoints store must parse back
  return ModelDef{std::move(interface), std::move(name), std::move(build)};
}

namespace {

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

void expect(const zoo::Model& m, const std::string& model, const std::string& role, Var v, const Shape& want) {
  if (!v.valid()) throw std::invalid_argument("model '" + model + "': its " + role + " is not set");
  if (v.g != &m.graph) throw std::invalid_argument("model '" + model + "': its " + role + " is a node of another graph than the model's");
  if (v.shape() != want)
    throw std::invalid_argument("model '" + model + "': its " + role + " has shape " + shape_text(v.shape()) + ", expected " +
                                shape_text(want));
}

}  // namespace

std::unique_ptr<zoo::Model> ModelDef::make(std::int64_t batch, const zoo::BuildOptions& options) const {
  if (!is_hand_built()) return zoo::build(spec, batch, options);
  std::unique_ptr<zoo::Model> m = build(batch, options);
  if (!m) throw std::invalid_argument("model '" + name + "': the build function returned no model");
  m->spec = spec;
  expect(*m, name, "x", m->x, {batch, spec.features});
  if (!m->target.valid()) m->target = m->x;
  expect(*m, name, "target", m->target, {batch, spec.features});
  if (options.separate_target && m->target == m->x)
    throw std::invalid_argument("model '" + name + "': an evaluation graph (separate_target) needs a target input of its own");
  expect(*m, name, "recon", m->recon, {batch, spec.features});
  expect(*m, name, "loss", m->loss, {});
  expect(*m, name, "code", m->code, {batch, spec.code});
  if (!m->recon_loss.valid()) m->recon_loss = m->loss;
  expect(*m, name, "recon_loss", m->recon_loss, {});
  if (spec.conditional) expect(*m, name, "label", m->label, {batch, spec.classes});
  for (const auto& p : m->penalties) expect(*m, name, "penalty " + p.name, p.raw, {});
  if (m->code_mean.valid()) expect(*m, name, "code_mean", m->code_mean, {spec.code});
  return m;
}

}  // namespace aeg::train
