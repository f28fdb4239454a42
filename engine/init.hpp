// Parameter initialisers, as plain data so a graph can carry them.
// Fans follow PyTorch: a weight of shape (out, in, k...) has fan_in = in*k..., fan_out = out*k...
#pragma once
#include "engine/rng.hpp"
#include "engine/tensor.hpp"

namespace aeg {

struct Init {
  enum class Kind { Zeros, Constant, Uniform, Normal, GlorotUniform, GlorotNormal, HeUniform, HeNormal };
  Kind kind = Kind::Zeros;
  double a = 0, b = 0;  // Constant: a; Uniform: [a, b); Normal: mean a, std b; Glorot/He: gain a

  static Init zeros() { return {Kind::Zeros}; }
  static Init constant(double v) { return {Kind::Constant, v}; }
  static Init uniform(double lo, double hi) { return {Kind::Uniform, lo, hi}; }
  static Init normal(double mean, double std) { return {Kind::Normal, mean, std}; }
  static Init glorot_uniform(double gain = 1) { return {Kind::GlorotUniform, gain}; }
  static Init glorot_normal(double gain = 1) { return {Kind::GlorotNormal, gain}; }
  static Init he_uniform() { return {Kind::HeUniform, 1}; }
  static Init he_normal() { return {Kind::HeNormal, 1}; }
  // PyTorch's nn.Linear / nn.Conv default for weight and bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  static Init torch_default(std::int64_t fan_in);
};

std::int64_t fan_in(const Shape& s);
std::int64_t fan_out(const Shape& s);
std::string to_string(const Init& init);

// Fills t (whose shape gives the fans) from rng, drawing in element order.
template <class T>
void initialise(Tensor<T>& t, const Init& init, Rng& rng);

}  // namespace aeg
