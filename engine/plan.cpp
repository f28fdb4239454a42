#include "engine/plan.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace aeg {

namespace {

constexpr int kForever = std::numeric_limits<int>::max();

struct Interval {
  int start, end;      // inclusive step times
  std::int64_t size;
  std::int64_t* offset;
};

// Greedy first-fit by start time: a buffer may take the place of one whose last
// use came strictly before its first.
std::int64_t assign_offsets(std::vector<Interval>& iv, bool reuse) {
  std::sort(iv.begin(), iv.end(), [](const Interval& a, const Interval& b) {
    return a.start != b.start ? a.start < b.start : a.size > b.size;
  });
  struct Placed { std::int64_t off, size; int end; };
  std::vector<Placed> placed;  // kept sorted by offset
  std::int64_t top = 0;
  for (Interval& x : iv) {
    if (reuse)
      placed.erase(std::remove_if(placed.begin(), placed.end(),
                                  [&](const Placed& p) { return p.end < x.start; }),
                   placed.end());
    std::int64_t off = 0;
    for (const Placed& p : placed) {
      if (p.off - off >= x.size) break;
      off = std::max(off, p.off + p.size);
    }
    // Keep buffers 64-byte aligned for vectorised kernels.
    *x.offset = off;
    placed.push_back({off, (x.size + 15) / 16 * 16, x.end});
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.off < b.off; });
    top = std::max(top, off + (x.size + 15) / 16 * 16);
  }
  return top;
}

}  // namespace

Plan compile(const Graph& g, const std::vector<Var>& outputs, const PlanOptions& opt) {
  Plan p;
  p.graph_ = std::shared_ptr<const Graph>(new Graph(g));
  p.source_ = &g;
  p.grads_ = opt.grads;
  p.training_ = opt.training.value_or(opt.grads);
  p.reuse_ = opt.reuse_memory;
  const std::size_t n = static_cast<std::size_t>(g.size());
  if (outputs.empty()) throw std::invalid_argument("compile: no outputs requested");
  for (const Var& v : outputs) {
    if (v.g != &g || v.id < 0 || v.id >= g.size())
      throw std::invalid_argument("compile: an output does not belong to this graph");
    p.outputs_.push_back(v.id);
  }

  // Live nodes: walk back from the outputs (iteratively).
  p.live_.assign(n, 0);
  std::vector<int> stack(p.outputs_.begin(), p.outputs_.end());
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (p.live_[static_cast<std::size_t>(id)]) continue;
    p.live_[static_cast<std::size_t>(id)] = 1;
    for (int in : g.node(id).inputs) stack.push_back(in);
  }

  p.needs_grad_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (!p.live_[i]) continue;
    const Node& nd = g.node(static_cast<int>(i));
    if (nd.kind == NodeKind::Op) {
      p.forward_.push_back(static_cast<int>(i));
      if (opt.grads)
        for (int in : nd.inputs)
          if (p.needs_grad_[static_cast<std::size_t>(in)]) p.needs_grad_[i] = 1;
    } else if (opt.grads) {
      p.needs_grad_[i] = nd.kind == NodeKind::Param || (nd.kind == NodeKind::Input && nd.requires_grad);
    }
  }
  for (auto it = p.forward_.rbegin(); it != p.forward_.rend(); ++it)
    if (p.needs_grad_[static_cast<std::size_t>(*it)]) p.backward_.push_back(*it);

  // Step times: forward i -> i; seeding -> F; backward j -> F + 1 + j.
  const int F = static_cast<int>(p.forward_.size());
  std::vector<int> ftime(n, -1), btime(n, -1);
  for (int i = 0; i < F; ++i) ftime[static_cast<std::size_t>(p.forward_[static_cast<std::size_t>(i)])] = i;
  for (std::size_t j = 0; j < p.backward_.size(); ++j)
    btime[static_cast<std::size_t>(p.backward_[j])] = F + 1 + static_cast<int>(j);
  std::vector<char> is_output(n, 0);
  for (int o : p.outputs_) is_output[static_cast<std::size_t>(o)] = 1;

  // A view whose input lives in the arena shares the input's buffers: root[i] is
  // the node whose buffers i uses, and each root's lifetime covers its views' uses.
  std::vector<int> root(n);
  p.aliased_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) root[i] = static_cast<int>(i);
  if (opt.reuse_memory && opt.alias_views)
    for (int id : p.forward_) {
      const Node& nd = g.node(id);
      if (nd.op->is_view() && g.node(nd.inputs[0]).kind == NodeKind::Op) {
        root[static_cast<std::size_t>(id)] = root[static_cast<std::size_t>(nd.inputs[0])];
        p.aliased_[static_cast<std::size_t>(id)] = 1;
      }
    }
  auto root_of = [&](int id) { return static_cast<std::size_t>(root[static_cast<std::size_t>(id)]); };
  for (int o : p.outputs_) is_output[root_of(o)] = 1;

  std::vector<int> vend(n, -1), gstart(n, kForever), gend(n, -1), gfirst(n, -1);  // gfirst: first writer
  for (std::size_t i = 0; i < n; ++i) {
    if (!p.live_[i] || p.aliased_[i]) continue;
    const Node& nd = g.node(static_cast<int>(i));
    if (nd.kind != NodeKind::Op) continue;
    const Saves s = nd.op->saves();
    vend[i] = std::max(vend[i], ftime[i]);
    if (btime[i] >= 0 && s.output) vend[i] = std::max(vend[i], btime[i]);
    for (int in : nd.inputs) {
      const auto u = root_of(in);
      vend[u] = std::max(vend[u], ftime[i]);
      if (btime[i] >= 0 && s.inputs) vend[u] = std::max(vend[u], btime[i]);
      if (btime[i] >= 0 && p.needs_grad_[u] && btime[i] < gstart[u]) {
        gstart[u] = btime[i];
        gfirst[u] = static_cast<int>(i);
      }
    }
    if (btime[i] >= 0) gend[i] = std::max(gend[i], btime[i]);
  }

  p.value_off_.assign(n, -1);
  p.grad_off_.assign(n, -1);
  p.zero_before_.assign(p.backward_.size() + 1, {});
  p.fresh_.assign(n, 0u);
  // The input slot through which value i's first writer may assign its gradient, or -1.
  auto fresh_slot = [&](std::size_t i) {
    const int w = gfirst[i];
    if (!opt.assign_grads || is_output[i] || w < 0) return -1;
    const Node& wn = g.node(w);
    if (!wn.op->assigns_grads() || wn.inputs.size() > 32) return -1;
    int slot = -1;
    for (std::size_t k = 0; k < wn.inputs.size(); ++k)
      if (root_of(wn.inputs[k]) == i) {
        if (slot >= 0) return -1;  // mul(a, a): two contributions in one step
        slot = static_cast<int>(k);
      }
    return slot;
  };
  std::vector<Interval> iv;
  for (std::size_t i = 0; i < n; ++i) {
    if (!p.live_[i]) continue;
    const Node& nd = g.node(static_cast<int>(i));
    const std::int64_t size = numel(nd.shape);
    if (p.aliased_[i]) {  // its own buffers in a naive plan, its root's here
      p.naive_elems_ += p.needs_grad_[i] ? 2 * size : size;
      continue;
    }
    if (nd.kind == NodeKind::Op) {
      const int end = (is_output[i] || !opt.reuse_memory) ? kForever : vend[i];
      iv.push_back({ftime[i], end, size, &p.value_off_[i]});
      p.naive_elems_ += size;
    }
    const bool arena_grad = p.needs_grad_[i] && (nd.kind == NodeKind::Op || nd.kind == NodeKind::Input);
    if (!arena_grad) continue;
    int start = gstart[i];
    if (is_output[i]) start = F;
    if (start == kForever) continue;  // nothing ever flows into it
    const int end = (nd.kind == NodeKind::Input || !opt.reuse_memory) ? kForever : std::max(gend[i], start);
    iv.push_back({start, end, size, &p.grad_off_[i]});
    p.naive_elems_ += size;
    if (const int k = fresh_slot(i); k >= 0)
      p.fresh_[static_cast<std::size_t>(gfirst[i])] |= 1u << k;
    else
      p.zero_before_[static_cast<std::size_t>(start - F)].push_back(static_cast<int>(i));
  }
  p.arena_elems_ = assign_offsets(iv, opt.reuse_memory);
  for (std::size_t i = 0; i < n; ++i)
    if (p.aliased_[i]) {
      p.value_off_[i] = p.value_off_[root_of(static_cast<int>(i))];
      p.grad_off_[i] = p.grad_off_[root_of(static_cast<int>(i))];
    }
  return p;
}

}  // namespace aeg
