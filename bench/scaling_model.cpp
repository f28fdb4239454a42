#include "scaling_model.hpp"

#include <algorithm>

#include "engine/kernels/parallel.hpp"
#include "op_profile.hpp"

namespace aeg::bench {

ScalingModel predict_scaling(const std::function<double()>& step, int steps, const std::vector<int>& threads) {
  ScalingModel m;
  m.threads = threads;
  std::vector<std::vector<double>> pred(threads.size());
  std::vector<double> wall, serial, loops;
  for (int s = 0; s < steps; ++s) {
    TaskLog log;
    const double w = step();
    double in_loops = 0;
    for (const TaskLog::Region& r : log.regions) in_loops += r.wall_s;
    const double rest = std::max(0.0, w - in_loops);
    for (std::size_t i = 0; i < threads.size(); ++i) {
      double t = rest;
      for (const TaskLog::Region& r : log.regions) t += std::max(r.longest_s, r.total_s / threads[i]);
      pred[i].push_back(t);
    }
    wall.push_back(w);
    serial.push_back(w > 0 ? rest / w : 0);
    loops.push_back(static_cast<double>(log.regions.size()));
  }
  for (auto& p : pred) m.step_s.push_back(median(p));
  m.measured_step_s = median(wall);
  m.serial_share = median(serial);
  m.loops_per_step = median(loops);
  return m;
}

}  // namespace aeg::bench
