// Draws a plan as Graphviz DOT, for looking at a model and for teaching:
//
//   write_dot(std::cout, plan);                              // the forward graph
//   write_dot(file, ex, {.backward = true});                 // after a run: values, gradients,
//                                                            // and the backward graph
//   dot -Tsvg model.dot -o model.svg
//
// Forward: one box per live node (name, op and attributes, shape); inputs,
// parameters, constants and ops in different colours, outputs with a double
// border. With values (an executor that has run this plan), each box also shows
// a short summary of its value and gradient (min / mean / max, or the number
// itself for one element); a plan compiled with reuse_memory = false keeps
// every value, otherwise only inputs, parameters, constants and outputs.
// Backward: one gradient node per node that needs a gradient, and a dashed red
// edge for every contribution the reverse walk adds (grad of an op's output ->
// grad of each input it flows into), numbered in backward order; a value used
// twice receives two edges, and its gradient node says they are added.
#pragma once
#include <iosfwd>
#include <string>
#include <variant>

#include "engine/executor.hpp"
#include "engine/plan.hpp"

namespace aeg {

struct DotOptions {
  bool backward = false;   // also draw the backward graph (needs a plan with grads)
  // An executor of this plan (or of a copy of it), after forward() (and backward()),
  // for value summaries.
  std::variant<std::monostate, const Executor<float>*, const Executor<double>*> values = {};
  bool attrs = true;       // show op attributes
  std::string title = {};  // graph label
};

// Throws std::invalid_argument if `values` runs another plan (one from another
// compile), or if backward is
// asked of a plan compiled without gradients.
void write_dot(std::ostream& os, const Plan& plan, const DotOptions& options = {});
// The executor's plan, with its values.
void write_dot(std::ostream& os, const Executor<float>& ex, DotOptions options = {});
void write_dot(std::ostream& os, const Executor<double>& ex, DotOptions options = {});
std::string to_dot(const Plan& plan, const DotOptions& options = {});

}  // namespace aeg
