// Optimizers over a ParamStore: PyTorch's SGD and Adam update formulas, one
// fused pass per parameter, parallel over elements and bitwise the same for any
// thread count. State (moments, momentum buffers, step counts, lr) exports by
// name for checkpoints and loads back with every name and shape checked.
//
//   Adam<float> opt(params, {.lr = 1e-3});
//   for (...) { opt.zero_grad(); ex.forward(); ex.backward(); opt.step(); }
//
// An optimizer updates every parameter in its store, in the store's order. The
// set of parameters is fixed once it has stepped: adding one to the store
// afterwards makes step() throw (make a new optimizer).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/param_store.hpp"
#include "engine/tensor.hpp"

namespace aeg {

class Parallel;

template <class T>
class Optimizer {
 public:
  using TensorState = std::vector<std::pair<std::string, Tensor<T>>>;
  using ScalarState = std::vector<std::pair<std::string, double>>;

  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string name() const = 0;  // "sgd", "adam"

  // Zeroes every parameter's gradient (the executor's backward adds into them).
  void zero_grad();
  // One update of every parameter from its current gradient.
  void step();

  double lr() const { return lr_; }
  void set_lr(double lr);                // throws std::invalid_argument if lr < 0
  std::int64_t steps() const { return steps_; }  // step() calls so far
  int threads() const;
  ParamStore<T>& params() { return params_; }

  // Per-parameter buffers named "<buffer>/<param>" ("m/W", "v/W", "momentum/W"),
  // in the store's order.
  TensorState state_tensors() const;
  // "step" (updates so far, which sets Adam's bias correction) and "lr".
  ScalarState state_scalars() const;
  // Replaces the state with exported state. Every expected name must be there
  // with the parameter's shape, and nothing else: otherwise throws
  // std::invalid_argument listing each missing, mismatched or unexpected entry
  // and leaves the state untouched.
  void load_state(const TensorState& tensors, const ScalarState& scalars);

 protected:
  Optimizer(ParamStore<T>& params, double lr, int threads);

  // The per-parameter buffers this optimizer keeps ({"m", "v"}, {"momentum"}, {}).
  virtual std::vector<std::string> buffer_names() const = 0;
  // Updates elements [lo, hi) of one parameter in place; `step` counts this update
  // (1 the first time). `buffers` are zero before the first update; `bias` says the
  // parameter is 1-D. Called for every piece of every parameter in one parallel loop.
  virtual void update(T* p, const T* g, std::int64_t lo, std::int64_t hi, std::vector<Tensor<T>>& buffers,
                      std::int64_t step, bool bias) const = 0;

 private:
  void ensure_state() const;  // zero buffers for parameters the store gained
  // Every parameter cut into pieces of a fixed size: (parameter, begin, end).
  struct Piece {
    std::size_t param;
    std::int64_t lo, hi;
  };
  const std::vector<Piece>& pieces() const;

  ParamStore<T>& params_;
  double lr_;
  std::int64_t steps_ = 0;
  mutable std::vector<std::vector<Tensor<T>>> state_;  // buffers by store index
  mutable std::vector<Piece> pieces_;
  mutable std::vector<std::int64_t> pieces_sizes_;  // the sizes pieces_ was cut for
  std::unique_ptr<Parallel> par_;
};

// torch.optim.SGD (maximize = false):
//   g = grad + weight_decay * p
//   momentum != 0: buf = g on the first step, else buf = momentum * buf + (1 - dampening) * g;
//                  g = nesterov ? g + momentum * buf : buf
//   p = p - lr * g
struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool decay_biases = true;  // false: 1-D parameters are not decayed (see AdamOptions)
  bool nesterov = false;  // needs momentum > 0 and dampening = 0
  int threads = 1;        // for the element loops
};

template <class T>
class SGD final : public Optimizer<T> {
 public:
  explicit SGD(ParamStore<T>& params, SGDOptions options = {});
  std::string name() const override { return "sgd"; }
  const SGDOptions& options() const { return opt_; }

 private:
  std::vector<std::string> buffer_names() const override;
  void update(T* p, const T* g, std::int64_t lo, std::int64_t hi, std::vector<Tensor<T>>& buffers,
              std::int64_t step, bool bias) const override;
  SGDOptions opt_;
};

// torch.optim.Adam (amsgrad = false, maximize = false), with L2 weight decay
// added to the gradient:
//   g = grad + weight_decay * p
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   step_size = lr / (1 - beta1^t);  denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   p = p - step_size * m / denom
// (PyTorch >= 2 writes the m update as lerp, which can round the last bit
// differently; this is the formula of its documentation.)
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  // false: 1-D parameters (biases) are not decayed, as with a loss term
  // lambda/2 sum W^2 over the weights (UFLDL) or a PyTorch parameter group
  // without decay for biases; true decays everything, as Adam(weight_decay).
  bool decay_biases = true;
  int threads = 1;
};

template <class T>
class Adam final : public Optimizer<T> {
 public:
  explicit Adam(ParamStore<T>& params, AdamOptions options = {});
  std::string name() const override { return "adam"; }
  const AdamOptions& options() const { return opt_; }

 private:
  std::vector<std::string> buffer_names() const override;
  void update(T* p, const T* g, std::int64_t lo, std::int64_t hi, std::vector<Tensor<T>>& buffers,
              std::int64_t step, bool bias) const override;
  AdamOptions opt_;
};

}  // namespace aeg
