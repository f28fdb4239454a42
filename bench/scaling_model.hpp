// The step time at P threads predicted from a run on fewer: every parallel loop
// of a step is timed piece by piece (TaskLog), and each loop at P threads takes
// at least the larger of its longest piece and its total over P; the time
// outside loops stays serial. A lower bound: it leaves out fork-join costs
// and the memory bandwidth that P cores share.
#pragma once
#include <functional>
#include <vector>

namespace aeg::bench {

struct ScalingModel {
  std::vector<int> threads;          // the P predicted for
  std::vector<double> step_s;        // median predicted step time at each P
  double measured_step_s = 0;        // median step time while logging
  double serial_share = 0;           // median share of the step outside parallel loops
  double loops_per_step = 0;
};

// `step` runs one step and returns its wall time in seconds; it is run `steps` times.
ScalingModel predict_scaling(const std::function<double()>& step, int steps, const std::vector<int>& threads);

}  // namespace aeg::bench
