#include "engine/dot.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace aeg {

namespace {

std::string escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    r += c;
  }
  return r;
}

std::string fmt(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

// "value 0.25" for one element, else "value min / mean / max".
template <class T>
std::string summary(const char* what, const T* p, std::int64_t n) {
  if (n == 0) return std::string(what) + " (empty)";
  if (n == 1) return std::string(what) + " " + fmt(static_cast<double>(p[0]), 6);
  double lo = static_cast<double>(p[0]), hi = lo, sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(p[i]);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
  }
  return std::string(what) + " min " + fmt(lo, 4) + " mean " + fmt(sum / static_cast<double>(n), 4) + " max " +
         fmt(hi, 4);
}

// Summaries of a node's value and gradient, where the executor keeps them.
struct Values {
  virtual ~Values() = default;
  virtual std::string value(int id) const = 0;
  virtual std::string grad(int id) const = 0;
};

template <class T>
struct ExecValues final : Values {
  explicit ExecValues(const Executor<T>& e) : ex(e) {}
  const Executor<T>& ex;

  Var var(int id) const { return Var{const_cast<Graph*>(&ex.plan().graph()), id}; }
  bool is_output(int id) const {
    const auto& o = ex.plan().outputs();
    return std::find(o.begin(), o.end(), id) != o.end();
  }
  std::string value(int id) const override {
    const Plan& p = ex.plan();
    const Node& nd = p.graph().node(id);
    if (nd.kind == NodeKind::Op && p.reuse_memory() && !is_output(id)) return {};
    return summary("value", ex.value_data(var(id)), numel(nd.shape));
  }
  std::string grad(int id) const override {
    const Plan& p = ex.plan();
    const Node& nd = p.graph().node(id);
    if (!p.needs_grad(id) || (nd.kind == NodeKind::Op && p.reuse_memory())) return {};
    const Tensor<T> g = ex.grad(var(id));
    return summary("grad", g.ptr(), g.size());
  }
};

std::string kind_line(const Graph& g, int id, bool attrs) {
  const Node& nd = g.node(id);
  switch (nd.kind) {
    case NodeKind::Input: return nd.requires_grad ? "input (requires grad)" : "input";
    case NodeKind::Param: return "param, init " + to_string(nd.init);
    case NodeKind::Constant:
      if (nd.constant && nd.constant->size() == 1) return "constant " + fmt((*nd.constant)[0], 6);
      return "constant";
    case NodeKind::Op: {
      std::string s(nd.op->name());
      const std::string a = attrs ? nd.op->attrs() : std::string();
      if (!a.empty()) s += " (" + a + ")";
      return s;
    }
  }
  return "?";
}

const char* fill_of(NodeKind k) {
  switch (k) {
    case NodeKind::Input: return "#cfe2ff";     // blue
    case NodeKind::Param: return "#ffe5b4";     // orange
    case NodeKind::Constant: return "#e9ecef";  // grey
    case NodeKind::Op: return "#ffffff";
  }
  return "#ffffff";
}

void write(std::ostream& os, const Plan& plan, const DotOptions& o, const Values* vals) {
  if (o.backward && !plan.grads())
    throw std::invalid_argument("write_dot: backward = true for a plan compiled without gradients");
  const Graph& g = plan.graph();
  const int n = g.size();
  std::vector<char> is_output(static_cast<std::size_t>(n), 0);
  for (int id : plan.outputs()) is_output[static_cast<std::size_t>(id)] = 1;

  os << "digraph aegraph {\n";
  os << "  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12";
  if (!o.title.empty()) os << ", label=\"" << escape(o.title) << "\", labelloc=t";
  os << "];\n";
  os << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n";
  os << "  edge [fontname=\"Helvetica\", fontsize=9];\n";

  os << "  // forward graph\n";
  for (int id = 0; id < n; ++id) {
    if (!plan.live(id)) continue;
    const Node& nd = g.node(id);
    std::string label = g.label(id) + "\n" + kind_line(g, id, o.attrs) + "\nshape " + to_string(nd.shape);
    if (vals) {
      const std::string v = vals->value(id);
      if (!v.empty()) label += "\n" + v;
      if (plan.grads()) {
        const std::string gr = vals->grad(id);
        if (!gr.empty()) label += "\n" + gr;
      }
    }
    os << "  n" << id << " [label=\"" << escape(label) << "\", fillcolor=\"" << fill_of(nd.kind) << "\"";
    if (is_output[static_cast<std::size_t>(id)]) os << ", peripheries=2, penwidth=1.5";
    os << "];\n";
  }
  for (int id : plan.forward_order()) {
    const Node& nd = g.node(id);
    for (std::size_t k = 0; k < nd.inputs.size(); ++k) {
      os << "  n" << nd.inputs[k] << " -> n" << id;
      if (nd.inputs.size() > 1) os << " [label=\"" << k << "\"]";
      os << ";\n";
    }
  }

  if (!o.backward) {
    os << "}\n";
    return;
  }

  // Backward: the reverse walk. Step j runs the backward rule of
  // backward_order()[j], adding into the gradient of each input that needs one.
  std::vector<int> contributions(static_cast<std::size_t>(n), 0);
  for (int id : plan.backward_order())
    for (int in : g.node(id).inputs)
      if (plan.needs_grad(in)) ++contributions[static_cast<std::size_t>(in)];
  for (int id : plan.outputs())
    if (plan.needs_grad(id)) ++contributions[static_cast<std::size_t>(id)];

  os << "  // backward graph: gradient nodes and the contributions added into them\n";
  os << "  subgraph cluster_backward {\n";
  os << "    label=\"backward\"; fontcolor=\"#c0392b\"; color=\"#c0392b\"; style=dashed;\n";
  for (int id = 0; id < n; ++id) {
    if (!plan.live(id) || !plan.needs_grad(id)) continue;
    const Node& nd = g.node(id);
    std::string label = "grad " + g.label(id) + "\nshape " + to_string(nd.shape);
    const int c = contributions[static_cast<std::size_t>(id)];
    if (c > 1) label += "\nsum of " + std::to_string(c) + " contributions";
    if (c == 0) label += "\nnothing flows in (stays 0)";
    if (vals) {
      const std::string gr = vals->grad(id);
      if (!gr.empty()) label += "\n" + gr;
    }
    os << "    g" << id << " [label=\"" << escape(label)
       << "\", style=\"rounded,dashed,filled\", color=\"#c0392b\", fillcolor=\"#fdecea\"];\n";
  }
  for (std::size_t k = 0; k < plan.outputs().size(); ++k) {
    const int id = plan.outputs()[k];
    if (!plan.needs_grad(id)) continue;
    os << "    seed" << k << " [label=\"seed d" << escape(g.label(id)) << "/d" << escape(g.label(id))
       << " = 1\", shape=plaintext, style=\"\", fontcolor=\"#c0392b\"];\n";
  }
  os << "  }\n";
  for (std::size_t k = 0; k < plan.outputs().size(); ++k) {
    const int id = plan.outputs()[k];
    if (plan.needs_grad(id)) os << "  seed" << k << " -> g" << id << " [color=\"#c0392b\", style=dashed];\n";
  }
  const auto& order = plan.backward_order();
  for (std::size_t j = 0; j < order.size(); ++j) {
    const int id = order[j];
    const Node& nd = g.node(id);
    for (std::size_t k = 0; k < nd.inputs.size(); ++k) {
      const int in = nd.inputs[k];
      if (!plan.needs_grad(in)) continue;
      os << "  g" << id << " -> g" << in << " [color=\"#c0392b\", fontcolor=\"#c0392b\", style=dashed, label=\""
         << (j + 1) << ": " << escape(std::string(nd.op->name())) << "\"];\n";
    }
  }
  // Which value each gradient belongs to.
  for (int id = 0; id < n; ++id)
    if (plan.live(id) && plan.needs_grad(id))
      os << "  n" << id << " -> g" << id << " [style=dotted, color=\"#adb5bd\", arrowhead=none, constraint=false];\n";
  os << "}\n";
}

template <class T>
void write_from(std::ostream& os, const Executor<T>& ex, const DotOptions& o) {
  ExecValues<T> v(ex);
  write(os, ex.plan(), o, &v);
}

}  // namespace

void write_dot(std::ostream& os, const Plan& plan, const DotOptions& o) {
  if (const auto* p = std::get_if<const Executor<float>*>(&o.values); p && *p) {
    if (&(*p)->plan().graph() != &plan.graph()) throw std::invalid_argument("write_dot: the executor runs another plan");
    write_from(os, **p, o);
  } else if (const auto* q = std::get_if<const Executor<double>*>(&o.values); q && *q) {
    if (&(*q)->plan().graph() != &plan.graph()) throw std::invalid_argument("write_dot: the executor runs another plan");
    write_from(os, **q, o);
  } else {
    write(os, plan, o, nullptr);
  }
}

void write_dot(std::ostream& os, const Executor<float>& ex, DotOptions o) {
  o.values = &ex;
  write_dot(os, ex.plan(), o);
}

void write_dot(std::ostream& os, const Executor<double>& ex, DotOptions o) {
  o.values = &ex;
  write_dot(os, ex.plan(), o);
}

std::string to_dot(const Plan& plan, const DotOptions& o) {
  std::ostringstream os;
  write_dot(os, plan, o);
  return os.str();
}

}  // namespace aeg
