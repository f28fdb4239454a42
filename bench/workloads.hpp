// The reference workloads of bench-models.md (W1 shallow, W2 deep, W3 conv,
// W4 vae, W5 tiny), or any zoo recipe, as aegraph graphs: one step =
// forward + backward + Adam update.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/executor.hpp"

namespace aeg::bench {

struct Workload {
  std::string id, name;
  std::int64_t batch = 0, features = 0;
  double flops_per_step = 0;            // dense layers: 2*B*n*m forward, twice that backward
  std::int64_t planned_bytes = 0, naive_bytes = 0;
  std::function<void(const float* x)> step;  // one full step on a batch of `batch` rows
  std::function<std::vector<OpTime>()> op_times;  // per node, summed over every step (profile only)
  std::shared_ptr<void> state;          // keeps graph, executor and optimizer alive
};

std::vector<std::string> workload_ids();  // W1..W5
// `profile` times every op (ExecOptions::profile), at some cost to the step rate.
Workload make_workload(const std::string& id, int threads, bool profile = false);
// Any zoo recipe (zoo::recipe) at the given batch size.
Workload make_recipe_workload(const std::string& recipe, std::int64_t batch, int threads, bool profile = false);

}  // namespace aeg::bench
