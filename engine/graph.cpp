#include "engine/graph.hpp"

#include <stdexcept>

namespace aeg {

const Shape& Var::shape() const { return g->node(id).shape; }

Var Var::named(const std::string& name) const {
  g->set_name(*this, name);
  return *this;
}

Var Graph::push(Node n) {
  nodes_.push_back(std::move(n));
  return Var{this, static_cast<int>(nodes_.size()) - 1};
}

Var Graph::input(const std::string& name, Shape shape, bool requires_grad) {
  Node n{NodeKind::Input, name, std::move(shape)};
  n.requires_grad = requires_grad;
  return push(std::move(n));
}

Var Graph::param(const std::string& name, Shape shape, Init init) {
  for (int i = 0; i < size(); ++i) {
    const Node& n = nodes_[static_cast<std::size_t>(i)];
    if (n.kind == NodeKind::Param && n.name == name) {
      if (n.shape != shape)
        throw std::invalid_argument("parameter '" + name + "' declared with shape " +
                                    to_string(shape) + " but it already has shape " +
                                    to_string(n.shape));
      return Var{this, i};
    }
  }
  Node n{NodeKind::Param, name, std::move(shape)};
  n.init = init;
  return push(std::move(n));
}

Var Graph::constant(const Tensor<double>& value, const std::string& name) {
  Node n{NodeKind::Constant, name, value.shape};
  n.constant = std::make_shared<const std::vector<double>>(value.data);
  return push(std::move(n));
}

Var Graph::scalar(double value) { return constant(Tensor<double>(Shape{}, value)); }

Var Graph::apply(std::shared_ptr<const Op> op, const std::vector<Var>& inputs) {
  std::vector<Shape> shapes;
  Node n{NodeKind::Op, "", {}};
  for (const Var& v : inputs) {
    if (v.g != this) throw std::invalid_argument(std::string(op->name()) + ": input from another graph");
    shapes.push_back(node(v.id).shape);
    n.inputs.push_back(v.id);
  }
  try {
    n.shape = op->infer(shapes);
  } catch (const std::invalid_argument& e) {
    std::string msg = std::string(op->name()) + ": " + e.what() + " (input shapes";
    for (const auto& s : shapes) msg += " " + to_string(s);
    throw std::invalid_argument(msg + ")");
  }
  n.op = std::move(op);
  return push(std::move(n));
}

void Graph::set_name(Var v, const std::string& name) {
  nodes_.at(static_cast<std::size_t>(v.id)).name = name;
}

std::string Graph::label(int id) const {
  const Node& n = node(id);
  if (!n.name.empty()) return n.name;
  switch (n.kind) {
    case NodeKind::Input: return "input#" + std::to_string(id);
    case NodeKind::Param: return "param#" + std::to_string(id);
    case NodeKind::Constant: return "const#" + std::to_string(id);
    case NodeKind::Op: return std::string(n.op->name()) + "#" + std::to_string(id);
  }
  return "#" + std::to_string(id);
}

}  // namespace aeg
