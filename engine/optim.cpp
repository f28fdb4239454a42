#include "engine/optim.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "engine/kernels/adam_pass.hpp"
#include "engine/kernels/denormals.hpp"
#include "engine/kernels/isa/kernels.hpp"
#include "engine/kernels/parallel.hpp"

namespace aeg {

namespace {

constexpr std::int64_t kGrain = 1 << 14;  // elements per task

std::string num(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

void require(bool ok, const std::string& what, const std::string& msg) {
  if (!ok) throw std::invalid_argument(what + ": " + msg);
}

void check_lr(const std::string& who, double lr) {
  require(std::isfinite(lr) && lr >= 0, who, "invalid learning rate " + num(lr) + " (must be >= 0)");
}

}  // namespace

// ---------------------------------------------------------------- Optimizer

template <class T>
Optimizer<T>::Optimizer(ParamStore<T>& params, double lr, int threads)
    : params_(params), lr_(lr), par_(std::make_unique<Parallel>(threads)) {}

template <class T>
Optimizer<T>::~Optimizer() = default;

template <class T>
int Optimizer<T>::threads() const {
  return par_->threads();
}

template <class T>
void Optimizer<T>::set_lr(double lr) {
  check_lr(name(), lr);
  lr_ = lr;
}

// Every parameter cut into kGrain pieces, all in one list: zero_grad and step run
// one parallel loop over it instead of one per parameter (each loop's fork and
// join costs more than a bias vector's update on 16 threads).
template <class T>
const std::vector<typename Optimizer<T>::Piece>& Optimizer<T>::pieces() const {
  // Cut again only when the store changed (no allocation on the steps in between).
  bool same = pieces_sizes_.size() == params_.size();
  for (std::size_t i = 0; same && i < params_.size(); ++i) same = pieces_sizes_[i] == params_[i].value.size();
  if (!same) {
    pieces_.clear();
    pieces_sizes_.clear();
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const std::int64_t n = params_[i].value.size();
      pieces_sizes_.push_back(n);
      for (std::int64_t lo = 0; lo < n; lo += kGrain) pieces_.push_back({i, lo, std::min(n, lo + kGrain)});
    }
  }
  return pieces_;
}

// Spread over the optimizer's threads: one thread's memset of W2's 4.4 MB of
// gradients was the serial part of a 2-thread step.
template <class T>
void Optimizer<T>::zero_grad() {
  const std::vector<Piece>& ps = pieces();
  par_->for_range(static_cast<std::int64_t>(ps.size()), 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      T* g = params_[ps[i].param].grad.ptr();
      std::fill(g + ps[i].lo, g + ps[i].hi, T(0));
    }
  });
}

template <class T>
void Optimizer<T>::ensure_state() const {
  if (state_.size() == params_.size()) return;
  if (steps_ > 0)
    throw std::logic_error(name() + ": parameter '" + params_[state_.size()].name +
                           "' was added to the store after the optimizer started stepping; "
                           "make a new optimizer");
  const std::vector<std::string> names = buffer_names();
  for (std::size_t i = state_.size(); i < params_.size(); ++i) {
    std::vector<Tensor<T>> bufs;
    for (std::size_t b = 0; b < names.size(); ++b) bufs.emplace_back(params_[i].value.shape);
    state_.push_back(std::move(bufs));
  }
}

template <class T>
void Optimizer<T>::step() {
  const detail::FlushDenormals ftz;
  ensure_state();
  const std::int64_t t = steps_ + 1;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto& e = params_[i];
    for (const auto& b : state_[i])
      if (b.shape != e.value.shape || e.grad.shape != e.value.shape)
        throw std::logic_error(name() + ": parameter '" + e.name + "' changed shape");
  }
  const std::vector<Piece>& ps = pieces();
  par_->for_range(static_cast<std::int64_t>(ps.size()), 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      auto& prm = params_[ps[i].param];
      update(prm.value.ptr(), prm.grad.ptr(), ps[i].lo, ps[i].hi, state_[ps[i].param], t, prm.value.shape.size() == 1);
    }
  });
  steps_ = t;
}

template <class T>
typename Optimizer<T>::TensorState Optimizer<T>::state_tensors() const {
  ensure_state();
  const std::vector<std::string> names = buffer_names();
  TensorState r;
  for (std::size_t i = 0; i < params_.size(); ++i)
    for (std::size_t b = 0; b < names.size(); ++b) r.emplace_back(names[b] + "/" + params_[i].name, state_[i][b]);
  return r;
}

template <class T>
typename Optimizer<T>::ScalarState Optimizer<T>::state_scalars() const {
  return {{"step", static_cast<double>(steps_)}, {"lr", lr_}};
}

template <class T>
void Optimizer<T>::load_state(const TensorState& tensors, const ScalarState& scalars) {
  const std::vector<std::string> names = buffer_names();
  std::vector<std::string> problems;

  // Tensors: exactly one per (buffer, parameter), with the parameter's shape.
  std::map<std::string, const Tensor<T>*> given;
  for (const auto& [n, t] : tensors)
    if (!given.emplace(n, &t).second) problems.push_back("tensor '" + n + "' given twice");
  std::vector<std::vector<Tensor<T>>> next(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& e = params_[i];
    for (const std::string& b : names) {
      const std::string key = b + "/" + e.name;
      auto it = given.find(key);
      if (it == given.end()) {
        problems.push_back("missing tensor '" + key + "'");
        continue;
      }
      const Tensor<T>& t = *it->second;
      if (t.shape != e.value.shape || t.size() != numel(t.shape))
        problems.push_back("tensor '" + key + "' has shape " + to_string(t.shape) + " but parameter '" + e.name +
                           "' has shape " + to_string(e.value.shape));
      else
        next[i].push_back(t);
      given.erase(it);
    }
  }
  for (const auto& [n, t] : given) problems.push_back("unexpected tensor '" + n + "'");

  // Scalars: the step count and the learning rate.
  std::map<std::string, double> sgiven;
  for (const auto& [n, x] : scalars)
    if (!sgiven.emplace(n, x).second) problems.push_back("scalar '" + n + "' given twice");
  std::int64_t steps = 0;
  double lr = lr_;
  if (auto it = sgiven.find("step"); it == sgiven.end()) {
    problems.push_back("missing scalar 'step'");
  } else {
    const double x = it->second;
    if (!(x >= 0) || x != std::floor(x) || x > 9.0e15)
      problems.push_back("scalar 'step' = " + num(x) + " is not a step count");
    else
      steps = static_cast<std::int64_t>(x);
    sgiven.erase(it);
  }
  if (auto it = sgiven.find("lr"); it == sgiven.end()) {
    problems.push_back("missing scalar 'lr'");
  } else {
    if (!(std::isfinite(it->second) && it->second >= 0))
      problems.push_back("scalar 'lr' = " + num(it->second) + " is not a learning rate");
    else
      lr = it->second;
    sgiven.erase(it);
  }
  for (const auto& [n, x] : sgiven) problems.push_back("unexpected scalar '" + n + "'");

  if (!problems.empty()) {
    std::string msg = name() + ".load_state: " + std::to_string(problems.size()) + " problem" +
                      (problems.size() > 1 ? "s" : "") + ": ";
    for (std::size_t k = 0; k < problems.size(); ++k) msg += (k ? "; " : "") + problems[k];
    throw std::invalid_argument(msg);
  }
  state_ = std::move(next);
  steps_ = steps;
  lr_ = lr;
}

// ---------------------------------------------------------------- SGD

template <class T>
SGD<T>::SGD(ParamStore<T>& params, SGDOptions o) : Optimizer<T>(params, o.lr, o.threads), opt_(o) {
  check_lr("SGD", o.lr);
  require(std::isfinite(o.momentum) && o.momentum >= 0, "SGD", "invalid momentum " + num(o.momentum) + " (must be >= 0)");
  require(std::isfinite(o.dampening) && o.dampening >= 0 && o.dampening <= 1, "SGD",
          "invalid dampening " + num(o.dampening) + " (must be in [0, 1])");
  require(std::isfinite(o.weight_decay) && o.weight_decay >= 0, "SGD",
          "invalid weight_decay " + num(o.weight_decay) + " (must be >= 0)");
  require(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "SGD",
          "nesterov momentum requires momentum > 0 and dampening = 0");
  require(o.threads >= 1, "SGD", "threads must be >= 1, got " + std::to_string(o.threads));
}

template <class T>
std::vector<std::string> SGD<T>::buffer_names() const {
  if (opt_.momentum != 0) return {"momentum"};
  return {};
}

template <class T>
void SGD<T>::update(T* p, const T* g, std::int64_t lo, std::int64_t hi, std::vector<Tensor<T>>& buffers,
                    std::int64_t step, bool bias) const {
  const T lr = static_cast<T>(this->lr()), wd = static_cast<T>(opt_.weight_decay);
  const T mom = static_cast<T>(opt_.momentum), keep = static_cast<T>(1 - opt_.dampening);
  const bool decay = opt_.weight_decay != 0 && (opt_.decay_biases || !bias);
  const bool nesterov = opt_.nesterov, first = step == 1;
  if (opt_.momentum == 0) {
    for (std::int64_t i = lo; i < hi; ++i) {
      T d = g[i];
      if (decay) d = d + wd * p[i];
      p[i] = p[i] - lr * d;
    }
    return;
  }
  T* buf = buffers[0].ptr();
  for (std::int64_t i = lo; i < hi; ++i) {
    T d = g[i];
    if (decay) d = d + wd * p[i];
    const T b = first ? d : mom * buf[i] + keep * d;
    buf[i] = b;
    d = nesterov ? d + mom * b : b;
    p[i] = p[i] - lr * d;
  }
}

// ---------------------------------------------------------------- Adam

template <class T>
Adam<T>::Adam(ParamStore<T>& params, AdamOptions o) : Optimizer<T>(params, o.lr, o.threads), opt_(o) {
  check_lr("Adam", o.lr);
  require(std::isfinite(o.eps) && o.eps >= 0, "Adam", "invalid epsilon " + num(o.eps) + " (must be >= 0)");
  require(o.betas.first >= 0 && o.betas.first < 1, "Adam",
          "invalid beta1 " + num(o.betas.first) + " (must be in [0, 1))");
  require(o.betas.second >= 0 && o.betas.second < 1, "Adam",
          "invalid beta2 " + num(o.betas.second) + " (must be in [0, 1))");
  require(std::isfinite(o.weight_decay) && o.weight_decay >= 0, "Adam",
          "invalid weight_decay " + num(o.weight_decay) + " (must be >= 0)");
  require(o.threads >= 1, "Adam", "threads must be >= 1, got " + std::to_string(o.threads));
}

template <class T>
std::vector<std::string> Adam<T>::buffer_names() const {
  return {"m", "v"};
}

template <class T>
void Adam<T>::update(T* p, const T* g, std::int64_t lo, std::int64_t hi, std::vector<Tensor<T>>& buffers,
                     std::int64_t step, bool bias) const {
  const double beta1 = opt_.betas.first, beta2 = opt_.betas.second;
  // The scalars are formed in double, as Python floats in PyTorch, then used in T.
  const double bc1 = 1 - std::pow(beta1, static_cast<double>(step));
  const double bc2 = 1 - std::pow(beta2, static_cast<double>(step));
  const T step_size = static_cast<T>(this->lr() / bc1);
  const T bc2_sqrt = static_cast<T>(std::sqrt(bc2));
  const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2);
  const T c1 = static_cast<T>(1 - beta1), c2 = static_cast<T>(1 - beta2);
  const T eps = static_cast<T>(opt_.eps), wd = static_cast<T>(opt_.weight_decay);
  const bool decay = opt_.weight_decay != 0 && (opt_.decay_biases || !bias);
  T* m = buffers[0].ptr();
  T* v = buffers[1].ptr();
  const detail::AdamScalars<T> k{b1, b2, c1, c2, bc2_sqrt, eps, step_size, wd};
  if constexpr (std::is_same_v<T, float>)
    detail::kernels().adam_pass(p + lo, g + lo, m + lo, v + lo, hi - lo, k, decay);
  else if (decay)
    detail::adam_pass<T, true>(p + lo, g + lo, m + lo, v + lo, hi - lo, k);
  else
    detail::adam_pass<T, false>(p + lo, g + lo, m + lo, v + lo, hi - lo, k);
}

template class Optimizer<float>;
template class Optimizer<double>;
template class SGD<float>;
template class SGD<double>;
template class Adam<float>;
template class Adam<double>;

}  // namespace aeg
