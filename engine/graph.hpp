// A static dataflow graph: nodes are appended in creation order (already a
// topological order) and referred to by Var handles.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/init.hpp"
#include "engine/op.hpp"
#include "engine/tensor.hpp"

namespace aeg {

class Graph;

// A value-type handle: which graph, which node.
struct Var {
  Graph* g = nullptr;
  int id = -1;

  const Shape& shape() const;
  Graph& graph() const { return *g; }
  bool valid() const { return g != nullptr && id >= 0; }
  // Gives the node a name (shown in drawings, traces and errors); returns *this.
  Var named(const std::string& name) const;
  friend bool operator==(Var a, Var b) { return a.g == b.g && a.id == b.id; }
  friend bool operator!=(Var a, Var b) { return !(a == b); }
  friend bool operator<(Var a, Var b) { return a.id < b.id; }
};

enum class NodeKind { Input, Param, Constant, Op };

struct Node {
  NodeKind kind;
  std::string name;
  Shape shape;
  std::shared_ptr<const Op> op;      // Op nodes
  std::vector<int> inputs;           // Op nodes
  bool requires_grad = false;        // Input nodes: compile plans a gradient for it
  Init init;                         // Param nodes
  std::shared_ptr<const std::vector<double>> constant;  // Constant nodes
};

struct PlanOptions;
class Plan;

class Graph {
 public:
  Graph() = default;
  Graph& operator=(const Graph&) = delete;  // Vars point at their graph

  // A value fed each step (a batch of data).
  Var input(const std::string& name, Shape shape, bool requires_grad = false);
  // A trainable value looked up by name in a ParamStore; `init` fills it the first time.
  // Declaring the same name twice returns the same node (shapes must agree).
  Var param(const std::string& name, Shape shape, Init init);
  Var constant(const Tensor<double>& value, const std::string& name = "");
  Var scalar(double value);

  // Appends an op node; shape errors name the op and every input shape.
  Var apply(std::shared_ptr<const Op> op, const std::vector<Var>& inputs);

  int size() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int id) const { return nodes_.at(static_cast<std::size_t>(id)); }
  const Node& node(Var v) const { return node(v.id); }
  void set_name(Var v, const std::string& name);
  // Display name: the given name, else "op#id".
  std::string label(int id) const;
  Var var(int id) { return Var{this, id}; }

 private:
  // Copied only by compile, for the plan's own snapshot (a user's copy would
  // leave every Var pointing at the original).
  Graph(const Graph&) = default;
  friend Plan compile(const Graph&, const std::vector<Var>&, const PlanOptions&);

  Var push(Node n);
  std::vector<Node> nodes_;
};

}  // namespace aeg
