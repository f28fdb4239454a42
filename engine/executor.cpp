#include "engine/executor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "engine/kernels/blas_core.hpp"
#include "engine/kernels/denormals.hpp"
#include "engine/kernels/gemm.hpp"
#include "engine/kernels/huge_pages.hpp"
#include "engine/kernels/parallel.hpp"

namespace aeg {

template <class T>
struct Executor<T>::Impl {
  Impl(int threads, bool huge) : par(threads), arena(detail::HugePageAllocator<T>(huge)), aux(arena.get_allocator()) {}
  Parallel par;
  std::vector<T, detail::HugePageAllocator<T>> arena, aux;
  std::vector<Tensor<T>> own;              // inputs and constants, by slot
  std::vector<T*> value, grad;             // by node id; nullptr where none
  std::vector<T*> owned;                   // by node id: an input's own buffer
  std::vector<std::vector<std::pair<int, std::size_t>>> uses;  // by input id: (op node, input slot)
  std::vector<int> inputs;                 // the live inputs, which forward() needs fed
  std::vector<char> fed;                   // by node id: the input was set, bound or written

  // Points input `id` at p for every op that reads it (bind_input).
  void point_input(int id, T* p) {
    const auto i = static_cast<std::size_t>(id);
    if (value[i] == p) return;
    value[i] = p;
    for (auto [op, slot] : uses[i]) ctx[static_cast<std::size_t>(op)].in[slot] = p;
  }
  std::vector<OpCtx<T>> ctx;               // by node id (op nodes only)
  std::vector<double> fwd_s, bwd_s;        // by node id, when profiling
  std::int64_t aux_elems = 0;
};

template <class T>
Executor<T>::Executor(Plan plan_arg, ParamStore<T>& params, ExecOptions options)
    : plan_(std::move(plan_arg)), opt_(options), rng_(options.seed),
      impl_(std::make_unique<Impl>(options.threads, options.huge_pages)) {
  const Plan& plan = plan_;
  if (plan.outputs().empty())  // a default-constructed Plan
    throw std::invalid_argument("executor: an empty plan (make one with compile)");
  detail::settle_kernels();  // engine/cpu.hpp
  gemm_single_threaded_blas();
  const Graph& g = plan.graph();
  const std::size_t n = static_cast<std::size_t>(g.size());
  Impl& m = *impl_;
  m.arena.assign(static_cast<std::size_t>(plan.arena_elems()), T(0));
  m.value.assign(n, nullptr);
  m.grad.assign(n, nullptr);
  m.owned.assign(n, nullptr);
  m.uses.resize(n);
  m.fed.assign(n, 0);
  m.ctx.resize(n);
  m.fwd_s.assign(n, 0);
  m.bwd_s.assign(n, 0);
  m.own.reserve(n);

  std::string missing;  // every missing parameter at once, not just the first
  for (std::size_t i = 0; i < n; ++i) {
    const Node& nd = g.node(static_cast<int>(i));
    if (plan.live(static_cast<int>(i)) && nd.kind == NodeKind::Param && !params.contains(nd.name))
      missing += (missing.empty() ? "'" : ", '") + nd.name + "'";
  }
  if (!missing.empty())
    throw std::invalid_argument("executor: parameter(s) " + missing +
                                " not in the parameter store (call init_from first)");

  std::vector<std::int64_t> aux_off(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!plan.live(static_cast<int>(i))) continue;
    const Node& nd = g.node(static_cast<int>(i));
    switch (nd.kind) {
      case NodeKind::Input:
        m.own.emplace_back(nd.shape);
        m.value[i] = m.owned[i] = m.own.back().ptr();
        m.inputs.push_back(static_cast<int>(i));
        break;
      case NodeKind::Constant:
        m.own.emplace_back(nd.shape);
        std::copy(nd.constant->begin(), nd.constant->end(), m.own.back().data.begin());
        m.value[i] = m.own.back().ptr();
        break;
      case NodeKind::Param: {
        auto& e = params.at(nd.name);  // there: every missing one was named above
        if (e.value.shape != nd.shape)
          throw std::invalid_argument("executor: parameter '" + nd.name + "' has shape " +
                                      to_string(e.value.shape) + " in the store but the graph expects " +
                                      to_string(nd.shape));
        m.value[i] = e.value.ptr();
        if (plan.needs_grad(static_cast<int>(i))) m.grad[i] = e.grad.ptr();
        break;
      }
      case NodeKind::Op: {
        std::vector<Shape> ins;
        for (int in : nd.inputs) ins.push_back(g.node(in).shape);
        const std::int64_t a = nd.op->aux_size(ins, nd.shape);
        if (a > 0) {
          aux_off[i] = m.aux_elems;
          m.aux_elems += a;
        }
        break;
      }
    }
    if (plan.value_offset(static_cast<int>(i)) >= 0) m.value[i] = m.arena.data() + plan.value_offset(static_cast<int>(i));
    if (plan.grad_offset(static_cast<int>(i)) >= 0) m.grad[i] = m.arena.data() + plan.grad_offset(static_cast<int>(i));
  }
  m.aux.assign(static_cast<std::size_t>(m.aux_elems), T(0));

  for (int id : plan.forward_order()) {
    const Node& nd = g.node(id);
    OpCtx<T>& c = m.ctx[static_cast<std::size_t>(id)];
    for (int in : nd.inputs) {
      if (g.node(in).kind == NodeKind::Input) m.uses[static_cast<std::size_t>(in)].emplace_back(id, c.in.size());
      c.in.push_back(m.value[static_cast<std::size_t>(in)]);
      c.in_shape.push_back(&g.node(in).shape);
      c.gin.push_back(m.grad[static_cast<std::size_t>(in)]);
    }
    c.out = m.value[static_cast<std::size_t>(id)];
    c.out_shape = &nd.shape;
    c.gout = m.grad[static_cast<std::size_t>(id)];
    if (aux_off[static_cast<std::size_t>(id)] >= 0) c.aux = m.aux.data() + aux_off[static_cast<std::size_t>(id)];
    c.par = &m.par;
    c.rng = &rng_;
    c.training = plan.training();
    c.fresh = opt_.trace ? 0u : plan.fresh_grads(id);  // a trace shows what each step adds
  }
}

template <class T>
Executor<T>::~Executor() = default;

template <class T>
int Executor<T>::threads() const {
  return impl_->par.threads();
}

// Eight so that a 4-2-4 tied autoencoder's 2 x 4 weight and its gradient print
// whole (docs/backprop.md reads them), and a line of eight still fits a terminal.
template <class T>
std::string trace_values(const T* p, std::int64_t n) {
  std::ostringstream os;
  os.precision(6);
  if (n == 1) {
    os << p[0];
    return os.str();
  }
  os << "[";
  const std::int64_t shown = std::min<std::int64_t>(n, 8);
  for (std::int64_t i = 0; i < shown; ++i) os << (i ? ", " : "") << p[i];
  if (n > shown) os << ", ... (" << n << " values)";
  os << "]";
  return os.str();
}
template std::string trace_values<float>(const float*, std::int64_t);
template std::string trace_values<double>(const double*, std::int64_t);

namespace {

const Node& checked_input(const Plan& p, Var v) {
  if (!p.has(v)) throw std::invalid_argument("executor: a Var from another graph");
  const Node& nd = p.graph().node(v.id);
  if (nd.kind != NodeKind::Input)
    throw std::invalid_argument("executor: '" + p.graph().label(v.id) + "' is not an input");
  if (!p.live(v.id))
    throw std::invalid_argument("executor: input '" + p.graph().label(v.id) +
                                "' is not used by this plan's outputs");
  return nd;
}

template <class T>
void print_values(std::ostream& os, const T* p, std::int64_t n) {
  os << trace_values(p, n);
}

// "c = add(a, b)" or "y = mul_scalar[s=2](x)", padded for the value column.
std::string step_text(const Graph& g, int id) {
  const Node& nd = g.node(id);
  std::string s = g.label(id) + " = " + std::string(nd.op->name());
  const std::string a = nd.op->attrs();
  if (!a.empty()) s += "[" + a + "]";
  s += "(";
  for (std::size_t k = 0; k < nd.inputs.size(); ++k) s += (k ? ", " : "") + g.label(nd.inputs[k]);
  s += ")";
  if (s.size() < 36) s.resize(36, ' ');
  return s;
}

// The name of what backward differentiates: the output, or "L" for several.
std::string loss_name(const Plan& p) {
  return p.outputs().size() == 1 ? p.graph().label(p.outputs()[0]) : std::string("L");
}

}  // namespace

template <class T>
void Executor<T>::set_input(Var v, const Tensor<T>& value) {
  const Node& nd = checked_input(plan_, v);
  if (value.shape != nd.shape)
    throw std::invalid_argument("input '" + plan_.graph().label(v.id) + "' expects shape " +
                                to_string(nd.shape) + ", got " + to_string(value.shape));
  T* own = impl_->owned[static_cast<std::size_t>(v.id)];
  std::copy(value.data.begin(), value.data.end(), own);
  impl_->point_input(v.id, own);
  impl_->fed[static_cast<std::size_t>(v.id)] = 1;
}

template <class T>
T* Executor<T>::input_data(Var v) {
  checked_input(plan_, v);
  T* own = impl_->owned[static_cast<std::size_t>(v.id)];
  impl_->point_input(v.id, own);
  impl_->fed[static_cast<std::size_t>(v.id)] = 1;  // the caller writes it now
  return own;
}

template <class T>
void Executor<T>::bind_input(Var v, std::span<const T> data) {
  const Node& nd = checked_input(plan_, v);
  const std::string name = plan_.graph().label(v.id);
  if (!data.data()) throw std::invalid_argument("bind_input: null data for input '" + name + "'");
  if (static_cast<std::int64_t>(data.size()) != numel(nd.shape))
    throw std::invalid_argument("bind_input: input '" + name + "' has shape " + to_string(nd.shape) + " (" +
                                std::to_string(numel(nd.shape)) + " values), but " + std::to_string(data.size()) +
                                " values were given");
  // Ops only read their inputs (no op writes in place), so the caller's memory stays unchanged.
  impl_->point_input(v.id, const_cast<T*>(data.data()));
  impl_->fed[static_cast<std::size_t>(v.id)] = 1;
}

template <class T>
void Executor<T>::forward() {
  const Graph& g = plan_.graph();
  Impl& m = *impl_;
  for (int id : m.inputs)
    if (!m.fed[static_cast<std::size_t>(id)])
      throw std::logic_error("forward: input '" + g.label(id) +
                             "' was never given data (set_input, bind_input or input_data)");
  const detail::FlushDenormals ftz;
  int fstep = 0;
  for (int id : plan_.forward_order()) {
    if (plan_.aliased(id)) continue;  // a view of its input's buffer: nothing to run
    const Node& nd = g.node(id);
    const auto& c = m.ctx[static_cast<std::size_t>(id)];
    if (opt_.profile) {
      const auto t0 = std::chrono::steady_clock::now();
      nd.op->forward(c);
      m.fwd_s[static_cast<std::size_t>(id)] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      nd.op->forward(c);
    }
    if (opt_.trace) {
      std::ostream& os = *opt_.trace;
      os << "forward  " << std::setw(3) << ++fstep << "  " << step_text(g, id) << " " << to_string(nd.shape) << " ";
      print_values(os, c.out, numel(nd.shape));
      os << "\n";
    }
  }
}

template <class T>
void Executor<T>::backward() {
  std::vector<Tensor<T>> seeds;
  for (int o : plan_.outputs()) seeds.emplace_back(plan_.graph().node(o).shape, T(1));
  backward(seeds);
}

template <class T>
void Executor<T>::backward(const std::vector<Tensor<T>>& seeds) {
  if (!plan_.grads()) throw std::logic_error("backward() on a plan compiled without gradients");
  const detail::FlushDenormals ftz;
  const Graph& g = plan_.graph();
  Impl& m = *impl_;
  if (seeds.size() != plan_.outputs().size())
    throw std::invalid_argument("backward: " + std::to_string(plan_.outputs().size()) +
                                " outputs but " + std::to_string(seeds.size()) + " seeds");
  auto zero = [&](std::size_t step) {
    for (int id : plan_.zero_before(step)) {
      T* gp = m.grad[static_cast<std::size_t>(id)];
      std::fill(gp, gp + numel(g.node(id).shape), T(0));
    }
  };
  zero(0);
  for (std::size_t k = 0; k < seeds.size(); ++k) {
    const int o = plan_.outputs()[k];
    T* gp = m.grad[static_cast<std::size_t>(o)];
    if (seeds[k].shape != g.node(o).shape)
      throw std::invalid_argument("backward: seed for '" + g.label(o) + "' has shape " +
                                  to_string(seeds[k].shape) + ", expected " + to_string(g.node(o).shape));
    if (!gp) continue;  // an output that depends on nothing trainable
    const Node& nd = g.node(o);
    if (nd.kind == NodeKind::Param) continue;
    for (std::int64_t i = 0; i < seeds[k].size(); ++i) gp[i] += seeds[k][i];
  }
  const std::string L = opt_.trace ? loss_name(plan_) : std::string();
  if (opt_.trace)
    for (std::size_t k = 0; k < seeds.size(); ++k) {
      *opt_.trace << "backward seed  d" << L << "/d" << g.label(plan_.outputs()[k]) << " = ";
      print_values(*opt_.trace, seeds[k].ptr(), seeds[k].size());
      *opt_.trace << "\n";
    }
  const auto& order = plan_.backward_order();
  std::vector<std::vector<T>> before;  // trace only: input gradients before this step adds to them
  for (std::size_t j = 0; j < order.size(); ++j) {
    zero(j + 1);
    const int id = order[j];
    if (plan_.aliased(id)) continue;  // its gradient is its input's: already in place
    const Node& nd = g.node(id);
    const auto& c = m.ctx[static_cast<std::size_t>(id)];
    if (opt_.trace)  // a trace clears what the plan lets ops assign, to show what each step adds
      for (std::size_t k = 0; k < nd.inputs.size(); ++k)
        if ((plan_.fresh_grads(id) >> k) & 1u) std::fill(c.gin[k], c.gin[k] + numel(g.node(nd.inputs[k]).shape), T(0));
    // An input used twice by one op (mul(a, a)) shares one gradient: show it once.
    auto first_use = [&](std::size_t k) {
      for (std::size_t q = 0; q < k; ++q)
        if (c.gin[q] == c.gin[k]) return false;
      return true;
    };
    if (opt_.trace) {
      before.assign(nd.inputs.size(), {});
      for (std::size_t k = 0; k < nd.inputs.size(); ++k)
        if (c.gin[k] && first_use(k))
          before[k].assign(c.gin[k], c.gin[k] + numel(g.node(nd.inputs[k]).shape));
    }
    if (opt_.profile) {
      const auto t0 = std::chrono::steady_clock::now();
      nd.op->backward(c);
      m.bwd_s[static_cast<std::size_t>(id)] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      nd.op->backward(c);
    }
    if (opt_.trace) {
      // backward   3  f = pow_scalar[p=2](e)          dg/df = 0.5
      //                  dg/de += -3.2  (now -3.2)
      std::ostream& os = *opt_.trace;
      os << "backward " << std::setw(3) << (j + 1) << "  " << step_text(g, id) << " d" << L << "/d" << g.label(id)
         << " = ";
      print_values(os, c.gout, numel(nd.shape));
      os << "\n";
      for (std::size_t k = 0; k < nd.inputs.size(); ++k) {
        if (!c.gin[k] || !first_use(k)) continue;
        const std::int64_t len = numel(g.node(nd.inputs[k]).shape);
        std::vector<T> added(static_cast<std::size_t>(len));
        for (std::int64_t i = 0; i < len; ++i)
          added[static_cast<std::size_t>(i)] = c.gin[k][i] - before[k][static_cast<std::size_t>(i)];
        os << "                d" << L << "/d" << g.label(nd.inputs[k]) << " += ";
        print_values(os, added.data(), len);
        const bool had = std::any_of(before[k].begin(), before[k].end(), [](T x) { return x != T(0); });
        if (had) {
          os << "  (now ";
          print_values(os, static_cast<const T*>(c.gin[k]), len);
          os << ")";
        }
        os << "\n";
      }
    }
  }
}

template <class T>
const T* Executor<T>::value_data(Var v) const {
  if (!plan_.has(v) || !plan_.live(v.id))
    throw std::invalid_argument("executor: value of a node this plan does not run");
  const Node& nd = plan_.graph().node(v.id);
  const bool kept = nd.kind != NodeKind::Op || !plan_.reuse_memory() ||
                    std::find(plan_.outputs().begin(), plan_.outputs().end(), v.id) != plan_.outputs().end();
  if (!kept)
    throw std::invalid_argument("executor: the value of '" + plan_.graph().label(v.id) +
                                "' is not kept by this plan (request it as an output, or compile "
                                "with reuse_memory = false)");
  return impl_->value[static_cast<std::size_t>(v.id)];
}

template <class T>
Tensor<T> Executor<T>::value(Var v) const {
  const T* p = value_data(v);
  const Shape& s = plan_.graph().node(v.id).shape;
  return Tensor<T>(s, std::vector<T>(p, p + numel(s)));
}

template <class T>
T Executor<T>::scalar(Var v) const {
  const T* p = value_data(v);
  if (numel(plan_.graph().node(v.id).shape) != 1)
    throw std::invalid_argument("executor: '" + plan_.graph().label(v.id) + "' is not a scalar");
  return p[0];
}

// v's gradient buffer, or nullptr where nothing flows into it.
template <class T>
const T* Executor<T>::grad_buffer(Var v) const {
  if (!plan_.has(v)) throw std::invalid_argument("executor: a Var from another graph");
  const Node& nd = plan_.graph().node(v.id);
  if (!plan_.needs_grad(v.id))
    throw std::invalid_argument("executor: no gradient is planned for '" + plan_.graph().label(v.id) + "'");
  const bool kept = nd.kind != NodeKind::Op || !plan_.reuse_memory();
  if (!kept)
    throw std::invalid_argument("executor: the gradient of '" + plan_.graph().label(v.id) +
                                "' is not kept (compile with reuse_memory = false)");
  return impl_->grad[static_cast<std::size_t>(v.id)];
}

template <class T>
Tensor<T> Executor<T>::grad(Var v) const {
  const T* p = grad_buffer(v);
  const Shape& s = plan_.graph().node(v.id).shape;
  if (!p) return Tensor<T>(s);  // nothing flows into it
  return Tensor<T>(s, std::vector<T>(p, p + numel(s)));
}

template <class T>
const T* Executor<T>::grad_data(Var v) const {
  const T* p = grad_buffer(v);
  if (!p)
    throw std::invalid_argument("executor: no gradient flows into '" + plan_.graph().label(v.id) +
                                "' (its gradient is zero)");
  return p;
}

template <class T>
std::int64_t Executor<T>::planned_bytes() const {
  return (plan_.arena_elems() + impl_->aux_elems) * static_cast<std::int64_t>(sizeof(T));
}

template <class T>
std::int64_t Executor<T>::naive_bytes() const {
  return (plan_.naive_elems() + impl_->aux_elems) * static_cast<std::int64_t>(sizeof(T));
}

template <class T>
std::vector<OpTime> Executor<T>::op_times() const {
  std::vector<OpTime> r;
  const Graph& g = plan_.graph();
  for (int id : plan_.forward_order())
    r.push_back({g.label(id), std::string(g.node(id).op->name()), impl_->fwd_s[static_cast<std::size_t>(id)],
                 impl_->bwd_s[static_cast<std::size_t>(id)]});
  return r;
}

template class Executor<float>;
template class Executor<double>;

}  // namespace aeg
