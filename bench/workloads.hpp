// The reference workloads of bench-models.md (W1 shallow, W2 deep, W4 vae,
// W5 tiny) as aegraph graphs: one step = forward + backward + Adam update.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace aeg::bench {

struct Workload {
  std::string id, name;
  std::int64_t batch = 0, features = 0;
  double flops_per_step = 0;            // dense layers: 2*B*n*m forward, twice that backward
  std::int64_t planned_bytes = 0, naive_bytes = 0;
  std::function<void(const float* x)> step;  // one full step on a batch of `batch` rows
  std::shared_ptr<void> state;          // keeps graph, executor and optimizer alive
};

std::vector<std::string> workload_ids();  // W1, W2, W4, W5
Workload make_workload(const std::string& id, int threads);

}  // namespace aeg::bench
