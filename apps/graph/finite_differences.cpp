#include "apps/graph/finite_differences.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "engine/gradcheck.hpp"

namespace aeg::apps {

namespace {

template <class To, class From>
Tensor<To> converted(const Shape& shape, const From* p) {
  return Tensor<To>(shape, std::vector<To>(p, p + numel(shape)));
}

}  // namespace

void print_finite_differences(std::ostream& os, const Executor<float>& traced, const ParamStore<float>& params,
                              std::uint64_t seed, double eps) {
  const Plan& plan = traced.plan();
  const Graph& g = plan.graph();
  if (plan.outputs().size() != 1 || numel(g.node(plan.outputs()[0]).shape) != 1)
    throw std::invalid_argument("finite differences need one scalar output");
  Graph* graph = const_cast<Graph*>(&g);  // Var's handle; nothing is changed through it
  const Var out{graph, plan.outputs()[0]};
  // The traced float values, exactly, in double.
  ParamStore<double> store;
  for (std::size_t i = 0; i < params.size(); ++i)
    store.add(params[i].name, converted<double>(params[i].value.shape, params[i].value.ptr()));
  Executor<double> ex(plan, store);
  for (int id = 0; id < g.size(); ++id)
    if (plan.live(id) && g.node(id).kind == NodeKind::Input)
      ex.set_input(Var{graph, id}, converted<double>(g.node(id).shape, traced.value_data(Var{graph, id})));
  auto loss = [&] {
    ex.rng() = Rng(seed);  // the same noise every pass
    ex.forward();
    return ex.scalar(out);
  };
  const std::string L = g.label(out.id);
  for (int id = 0; id < g.size(); ++id) {
    const Node& nd = g.node(id);
    const bool param = nd.kind == NodeKind::Param, input = nd.kind == NodeKind::Input && nd.requires_grad;
    if (!plan.live(id) || !plan.needs_grad(id) || !(param || input)) continue;
    const Var v{graph, id};
    double* values = param ? store.at(nd.name).value.ptr() : ex.input_data(v);
    const Tensor<float> backprop = traced.grad(v);
    for (std::int64_t i = 0; i < backprop.size(); ++i) {
      const double numeric = central_difference(values[i], eps, loss);
      char line[256];
      std::snprintf(line, sizeof line, "d%s/d%s[%lld]", L.c_str(), g.label(id).c_str(), static_cast<long long>(i));
      os << line;
      std::snprintf(line, sizeof line, "%*s backprop %-10.6g  finite differences %.6g\n",
                    std::max(0, 22 - static_cast<int>(L.size() + g.label(id).size())), "",
                    static_cast<double>(backprop[i]), numeric);
      os << line;
    }
  }
}

}  // namespace aeg::apps
