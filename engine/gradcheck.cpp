#include "engine/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "engine/executor.hpp"

namespace aeg {

std::string GradcheckReport::message() const {
  std::ostringstream os;
  if (ok) {
    os << "gradcheck passed on " << checked << " elements";
    return os.str();
  }
  os << "gradcheck FAILED";
  if (!failure.empty()) os << ": " << failure;
  if (!worst.empty()) os << (failure.empty() ? ": " : "; ") << "worst element " << worst;
  return os.str();
}

namespace {

struct Target {
  std::string label;   // "x[3]" style prefix
  std::string consumer;
  double* data;        // the value perturbed in place
  std::int64_t n;
  Tensor<double> analytic;
};

// First op node that reads node `id`, for naming the op behind a bad gradient.
std::string consumer_of(const Graph& g, const Plan& p, int id) {
  for (int op : p.forward_order())
    for (int in : g.node(op).inputs)
      if (in == id) return g.label(op) + " (" + std::string(g.node(op).op->name()) + ")";
  return "nothing";
}

bool same_bits(const Tensor<double>& a, const Tensor<double>& b) {
  return a.data.size() == b.data.size() &&
         std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(double)) == 0;
}

}  // namespace

GradcheckReport gradcheck(Graph& g, Var output, const std::vector<std::pair<Var, Tensor<double>>>& feeds,
                          ParamStore<double>& params, const GradcheckOptions& o) {
  GradcheckReport rep;
  const Plan plan = compile(g, {output}, PlanOptions{.grads = true, .training = true, .reuse_memory = false});
  Executor<double> ex(plan, params, ExecOptions{.threads = o.threads, .seed = o.seed});
  for (const auto& [v, t] : feeds)
    if (plan.live(v.id)) ex.set_input(v, t);
  const std::string rng0 = ex.rng().state();

  // Fixed random weights reduce the output to the scalar sum(w * out).
  Rng wrng(o.seed ^ 0x9e3779b97f4a7c15ULL);
  Tensor<double> w(output.shape());
  for (auto& x : w.data) x = wrng.uniform(0.5, 1.5) * (wrng.uniform() < 0.5 ? -1 : 1);
  auto objective = [&]() {
    ex.rng().set_state(rng0);
    ex.forward();
    const double* y = ex.value_data(output);
    double s = 0;
    for (std::int64_t i = 0; i < w.size(); ++i) s += w[i] * y[i];
    return s;
  };

  std::vector<Target> targets;
  for (const auto& [v, t] : feeds)
    if (plan.live(v.id) && plan.needs_grad(v.id))
      targets.push_back({g.label(v.id), consumer_of(g, plan, v.id), ex.input_data(v), t.size(), {}});
  for (int id = 0; id < g.size(); ++id) {
    const Node& nd = g.node(id);
    if (nd.kind != NodeKind::Param || !plan.live(id)) continue;
    auto& e = params.at(nd.name);
    targets.push_back({nd.name, consumer_of(g, plan, id), e.value.ptr(), e.value.size(), {}});
  }

  // Every target's gradient after a backward of `e`, in target order.
  auto gradients_of = [&](Executor<double>& e) {
    std::vector<Tensor<double>> r;
    for (const auto& [v, t] : feeds)
      if (plan.live(v.id) && plan.needs_grad(v.id)) r.push_back(e.grad(v));
    for (int id = 0; id < g.size(); ++id)
      if (g.node(id).kind == NodeKind::Param && plan.live(id)) r.push_back(params.at(g.node(id).name).grad);
    return r;
  };
  auto fail = [&](const std::string& why, std::size_t k) {
    rep.ok = false;
    rep.failure = why + targets[k].label;
  };
  auto analytic = [&]() {
    params.zero_grad();
    objective();
    ex.backward({w});
    return gradients_of(ex);
  };
  const auto first = analytic();
  const auto second = analytic();
  for (std::size_t k = 0; k < first.size(); ++k) {
    targets[k].analytic = first[k];
    if (!same_bits(first[k], second[k])) fail("backward run twice gave different gradients for ", k);
  }
  // The gradients another plan of the same graph gives for the same objective.
  auto gradients_from = [&](const PlanOptions& po) {
    const Plan other = compile(g, {output}, po);
    Executor<double> e(other, params, ExecOptions{.threads = o.threads, .seed = o.seed});
    for (const auto& [v, t] : feeds)
      if (other.live(v.id)) e.set_input(v, t);
    params.zero_grad();
    e.forward();
    e.backward({w});
    return gradients_of(e);
  };
  // A plan that clears every gradient buffer first, where no op assigns one (Op::assigns_grads).
  const auto cleared = gradients_from({.grads = true, .training = true, .reuse_memory = false, .assign_grads = false});
  for (std::size_t k = 0; k < first.size(); ++k)  // values, not bits: 0 + (-0) is +0, an assignment keeps -0
    if (first[k].data != cleared[k].data) fail("gradients differ when buffers are cleared instead of assigned, for ", k);
  // The plan training runs (buffers reused, views aliased to their input): the same gradients,
  // up to the order in which a view's and its input's contributions add up.
  const auto reused = gradients_from({.grads = true, .training = true});
  for (std::size_t k = 0; k < first.size(); ++k)
    for (std::size_t i = 0; i < first[k].data.size(); ++i) {
      const double a = first[k].data[i], b = reused[k].data[i];
      if (!(std::fabs(a - b) <= 1e-12 * std::max(1.0, std::fabs(a)))) {
        fail("gradients differ in the plan that reuses memory, for ", k);
        break;
      }
    }
  // A zero seed must give zero gradients.
  params.zero_grad();
  objective();
  ex.backward({Tensor<double>(output.shape())});
  const auto zeros = gradients_of(ex);
  for (std::size_t k = 0; k < zeros.size(); ++k)
    if (std::any_of(zeros[k].data.begin(), zeros[k].data.end(), [](double x) { return x != 0; }))
      fail("a zero output gradient gave a non-zero gradient for ", k);

  double worst = -INFINITY;
  for (Target& t : targets) {
    for (std::int64_t i = 0; i < t.n; ++i) {
      const double numeric = central_difference(t.data[i], o.eps, objective);
      const double a = t.analytic[i];
      const double excess = std::abs(a - numeric) - (o.atol + o.rtol * std::abs(numeric));
      ++rep.checked;
      if (excess > worst || std::isnan(excess)) {
        worst = std::isnan(excess) ? INFINITY : excess;
        std::ostringstream os;
        os << t.label << "[" << i << "] (read by " << t.consumer << "): analytic " << a << ", numeric "
           << numeric;
        rep.worst = os.str();
      }
    }
  }
  objective();  // leave the executor's values as at the unperturbed point
  rep.worst_excess = worst;
  if (worst > 0) rep.ok = false;
  return rep;
}

}  // namespace aeg
