// compile(graph, outputs) -> Plan: which nodes run forward, which need a
// gradient, the backward order, and where every buffer lives in one arena.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/graph.hpp"

namespace aeg {

struct PlanOptions {
  bool grads = true;               // false: an evaluation / inference plan
  std::optional<bool> training = std::nullopt;  // random ops active; defaults to `grads`
  bool reuse_memory = true;        // false keeps every value alive (drawing, tracing)
  bool assign_grads = true;        // first writers that can assign a gradient skip its clearing
  bool alias_views = true;         // a reshape of a computed value shares its buffers (with reuse_memory)
};

// Lifetime: a plan keeps its own copy of the graph as it was compiled (nodes
// added to the original later are not part of it), so it may outlive the graph
// it came from, and copies of a plan share that copy. Vars of the original graph
// and of graph() both name its nodes.
class Plan {
 public:
  // The graph as compiled (the plan's copy, not the original).
  const Graph& graph() const { return *graph_; }
  // Whether v is a node of this plan's graph: a Var of the graph it was compiled
  // from (compared by address only) or of graph().
  bool has(Var v) const {
    return graph_ && (v.g == source_ || v.g == graph_.get()) && v.id >= 0 && v.id < graph_->size();
  }
  const std::vector<int>& outputs() const { return outputs_; }
  bool grads() const { return grads_; }
  bool training() const { return training_; }
  bool reuse_memory() const { return reuse_; }

  bool live(int id) const { return live_[static_cast<std::size_t>(id)] != 0; }
  bool needs_grad(int id) const { return needs_grad_[static_cast<std::size_t>(id)] != 0; }
  // A view (reshape) sharing its input's value and gradient buffers: it runs
  // neither forward nor backward. Only in plans that reuse memory.
  bool aliased(int id) const { return aliased_[static_cast<std::size_t>(id)] != 0; }
  const std::vector<int>& forward_order() const { return forward_; }    // op nodes
  const std::vector<int>& backward_order() const { return backward_; }  // op nodes, reversed
  // Grad buffers to zero before backward step i (i = 0 is the seeding of the outputs).
  const std::vector<int>& zero_before(std::size_t step) const { return zero_before_[step]; }
  // Bit k: node `id`'s backward is the first to write input k's gradient, which
  // is not cleared for it (the op assigns it: Op::assigns_grads).
  unsigned fresh_grads(int id) const { return fresh_[static_cast<std::size_t>(id)]; }

  // Offsets (in elements) into the executor's arena; -1 where the node has none.
  std::int64_t value_offset(int id) const { return value_off_[static_cast<std::size_t>(id)]; }
  std::int64_t grad_offset(int id) const { return grad_off_[static_cast<std::size_t>(id)]; }
  std::int64_t arena_elems() const { return arena_elems_; }
  // What one buffer per value and per gradient would take.
  std::int64_t naive_elems() const { return naive_elems_; }

 private:
  friend Plan compile(const Graph&, const std::vector<Var>&, const PlanOptions&);
  std::shared_ptr<const Graph> graph_;  // the snapshot, shared by copies of the plan
  const Graph* source_ = nullptr;       // the original: its address tells its Vars, never read
  std::vector<int> outputs_;
  bool grads_ = true, training_ = true, reuse_ = true;
  std::vector<char> live_, needs_grad_, aliased_;
  std::vector<int> forward_, backward_;
  std::vector<std::vector<int>> zero_before_;
  std::vector<unsigned> fresh_;
  std::vector<std::int64_t> value_off_, grad_off_;
  std::int64_t arena_elems_ = 0, naive_elems_ = 0;
};

// The plan copies what it needs of the graph: the graph may go before the plan.
Plan compile(const Graph& graph, const std::vector<Var>& outputs, const PlanOptions& options = {});

}  // namespace aeg
