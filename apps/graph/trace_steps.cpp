#include "apps/graph/trace_steps.hpp"

#include <regex>
#include <sstream>
#include <stdexcept>

namespace aeg::apps {

std::vector<TraceStep> parse_trace(const std::string& trace) {
  static const std::regex forward(R"(^forward +(\d+)  (\S+) = (.*?\)) +\[[0-9, ]*\] (.*)$)");
  static const std::regex seed(R"(^backward seed  d(\S+)/d(\S+) = (.*)$)");
  // The op text ends where " d<loss>/d<node> = " starts; \2 is the node's own label.
  static const std::regex backward(R"(^backward +(\d+)  (\S+) = (.*?) +d(\S+)/d\2 = (.*)$)");
  static const std::regex add(R"(^ +d(\S+) \+= (.*?)(  \(now (.*)\))?$)");
  std::vector<TraceStep> steps;
  std::string loss;  // the backward lines' "d<loss>/d..."
  std::istringstream in(trace);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    TraceStep s;
    if (std::regex_match(line, m, forward)) {
      s.number = std::stoi(m[1]);
      s.node = m[2];
      s.op = m[3];
      s.shown = m[4];
    } else if (std::regex_match(line, m, seed)) {
      s.backward = true;
      loss = m[1];
      s.node = m[2];
      s.shown = m[3];
    } else if (std::regex_match(line, m, backward)) {
      s.backward = true;
      s.number = std::stoi(m[1]);
      s.node = m[2];
      s.op = m[3];
      loss = m[4];
      s.shown = m[5];
    } else if (!steps.empty() && steps.back().backward && std::regex_match(line, m, add)) {
      const std::string prefix = loss + "/d", wrt = m[1];
      if (wrt.compare(0, prefix.size(), prefix) != 0)
        throw std::invalid_argument("trace: a gradient line not of d" + loss + "/d...: " + line);
      steps.back().adds.push_back({wrt.substr(prefix.size()), m[2], m[4]});
      steps.back().lines.push_back(line);
      continue;
    } else {
      throw std::invalid_argument("trace: cannot read the line '" + line + "'");
    }
    s.lines.push_back(line);
    steps.push_back(std::move(s));
  }
  return steps;
}

}  // namespace aeg::apps
