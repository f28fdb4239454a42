// The tutorial's first graph: one neuron on numbers, o = tanh(x1 w1 + x2 w2 + b),
// micrograd's lecture example (x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8813735870195432,
// chosen so that o = 1/sqrt(2) and every gradient is a round number).
#pragma once
#include "engine/executor.hpp"
#include "engine/graph.hpp"

namespace aeg::apps {

struct Neuron {
  Graph graph;
  Var x1, x2, w1, w2, b, o;
  Neuron();
  // Gives every input its value (all 0-d, all taking a gradient).
  void feed(Executor<float>& ex) const;
};

}  // namespace aeg::apps
