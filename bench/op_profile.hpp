// Per-op time of a step, robust to a noisy machine: each node's forward and
// backward time is recorded step by step and the median over steps is shown
// (a stalled step lands on whichever op was running; a sum would blame it).
#pragma once
#include <cstdint>
#include <vector>

#include "engine/executor.hpp"

namespace aeg::bench {

double median(std::vector<double> v);  // 0 for none

class OpProfile {
 public:
  // The executor's cumulative op_times() after each timed step.
  void record(const std::vector<OpTime>& cumulative);
  // The slowest nodes (by median) until 95 % of the op time is listed.
  void print(double median_step_s, bool json) const;

 private:
  std::vector<OpTime> last_;
  std::vector<std::vector<double>> fwd_, bwd_;  // per node, per step
};

}  // namespace aeg::bench
