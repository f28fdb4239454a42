#include "apps/graph/neuron.hpp"

#include "engine/ops.hpp"

namespace aeg::apps {

Neuron::Neuron() {
  // Inputs that take a gradient, as micrograd's Values do: the trace shows d o / d w1 beside d o / d x1.
  x1 = graph.input("x1", {}, true);
  x2 = graph.input("x2", {}, true);
  w1 = graph.input("w1", {}, true);
  w2 = graph.input("w2", {}, true);
  b = graph.input("b", {}, true);
  Var x1w1 = (x1 * w1).named("x1w1"), x2w2 = (x2 * w2).named("x2w2");
  Var sum = (x1w1 + x2w2).named("x1w1+x2w2");
  Var n = (sum + b).named("n");
  o = tanh(n).named("o");
}

void Neuron::feed(Executor<float>& ex) const {
  ex.set_input(x1, Tensor<float>({}, 2.0f));
  ex.set_input(x2, Tensor<float>({}, 0.0f));
  ex.set_input(w1, Tensor<float>({}, -3.0f));
  ex.set_input(w2, Tensor<float>({}, 1.0f));
  ex.set_input(b, Tensor<float>({}, 6.8813735870195432f));
}

}  // namespace aeg::apps
