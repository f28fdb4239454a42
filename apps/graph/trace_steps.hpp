// The executor's trace (ExecOptions::trace) read back as steps, for the HTML
// stepper: one step per forward or backward line, with the lines that follow it.
//
//   forward    4  n = add(x1w1+x2w2, b)           [] 0.881374
//   backward   2  n = add(x1w1+x2w2, b)           do/dn = 0.5
//                   do/dx1w1+x2w2 += 0.5
//                   do/db += 0.5
#pragma once
#include <string>
#include <vector>

namespace aeg::apps {

struct TraceStep {
  struct Add {
    std::string input;  // the label of the input whose gradient grows
    std::string added;  // what this step adds, as the trace prints it
    std::string total;  // the sum so far where it was not the first contribution, else ""
  };
  bool backward = false;
  int number = 0;            // the trace's step number; 0 for the backward seed
  std::string node;          // the label of the node this step runs (or seeds)
  std::string op;            // "add(x1w1+x2w2, b)"; "" for the seed
  std::string shown;         // forward: the node's value; backward: its gradient
  std::vector<Add> adds;     // backward: one per input that takes a gradient
  std::vector<std::string> lines;  // the trace's own lines of this step
};

// Throws std::invalid_argument naming the first line it cannot read.
std::vector<TraceStep> parse_trace(const std::string& trace);

}  // namespace aeg::apps
