#include "op_profile.hpp"

#include "json_line.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>

namespace aeg::bench {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void OpProfile::record(const std::vector<OpTime>& cumulative) {
  if (last_.empty()) {  // the first call only sets the baseline (warm-up steps)
    last_ = cumulative;
    fwd_.assign(cumulative.size(), {});
    bwd_.assign(cumulative.size(), {});
    return;
  }
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    fwd_[i].push_back(cumulative[i].forward_s - last_[i].forward_s);
    bwd_[i].push_back(cumulative[i].backward_s - last_[i].backward_s);
  }
  last_ = cumulative;
}

void OpProfile::print(double median_step_s, bool json) const {
  struct Row {
    const OpTime* node;
    double f, b;
  };
  std::vector<Row> rows;
  double total = 0;
  for (std::size_t i = 0; i < last_.size(); ++i) {
    rows.push_back({&last_[i], median(fwd_[i]), median(bwd_[i])});
    total += rows.back().f + rows.back().b;
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.f + a.b > b.f + b.b; });
  if (json) {
    nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
    for (const Row& r : rows)
      nodes.push_back({{"node", r.node->label},
                       {"op", r.node->op},
                       {"forward", rounded(r.f * 1e3, 4)},
                       {"backward", rounded(r.b * 1e3, 4)}});
    print_json_line({{"profile_median_ms", nodes}, {"ops_ms", rounded(total * 1e3, 4)}, {"step_ms", rounded(median_step_s * 1e3, 4)}});
    return;
  }
  std::printf("  %-24s %-18s %10s %10s %7s\n", "node", "op", "fwd ms", "bwd ms", "share");
  double shown = 0;
  for (const Row& r : rows) {
    if (shown >= 0.95 * total) break;
    shown += r.f + r.b;
    std::printf("  %-24s %-18s %10.3f %10.3f %6.1f%%\n", r.node->label.substr(0, 24).c_str(), r.node->op.c_str(),
                r.f * 1e3, r.b * 1e3, 100.0 * (r.f + r.b) / total);
  }
  std::printf("  medians: ops %.3f ms of a %.3f ms step (the rest: optimizer, executor)\n", total * 1e3,
              median_step_s * 1e3);
}

}  // namespace aeg::bench
