// One self-contained HTML page (no network, no external scripts) that steps
// through a traced forward and backward pass node by node: Next / Previous
// (buttons, or the arrow keys) highlight the step's node in the drawing and show
// its value, the gradient arriving at it and what it adds to each input's
// gradient, with every node's value and gradient so far in a table.
//
// page.html?steps=N opens it N steps in; its state is then also written into the
// page (<pre id="current">: the step's trace lines), which a headless browser's
// --dump-dom can check against the trace; page.html?selftest presses Next through
// every step and Previous once, and writes down what each press showed
// (<pre id="selftest">, read by tests/apps/stepper_browser.sh).
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "apps/graph/trace_steps.hpp"
#include "engine/executor.hpp"

namespace aeg::apps {

// `trace`: the executor's trace of one forward() and backward() of `ex`'s plan
// (compiled with reuse_memory = false); `svg`: the drawing of that plan (DOT
// node ids n<id> and g<id>, as write_dot names them), or "" to show the table only.
// Throws std::invalid_argument where the trace names a node the plan lacks.
void write_stepper_html(std::ostream& os, const std::string& title, const Executor<float>& ex,
                        const std::string& trace, const std::string& svg);

}  // namespace aeg::apps
