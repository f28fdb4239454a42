#include "engine/init.hpp"

#include <cmath>

namespace aeg {

Init Init::torch_default(std::int64_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return uniform(-bound, bound);
}

static std::int64_t receptive(const Shape& s) {
  std::int64_t r = 1;
  for (std::size_t i = 2; i < s.size(); ++i) r *= s[i];
  return r;
}

std::int64_t fan_in(const Shape& s) {
  if (s.empty()) return 1;
  if (s.size() == 1) return s[0];
  return s[1] * receptive(s);
}

std::int64_t fan_out(const Shape& s) {
  if (s.empty()) return 1;
  return s[0] * receptive(s);
}

std::string to_string(const Init& init) {
  using K = Init::Kind;
  auto num = [](double v) {
    std::string s = std::to_string(v);
    return s;
  };
  switch (init.kind) {
    case K::Zeros: return "zeros";
    case K::Constant: return "constant(" + num(init.a) + ")";
    case K::Uniform: return "uniform(" + num(init.a) + ", " + num(init.b) + ")";
    case K::Normal: return "normal(" + num(init.a) + ", " + num(init.b) + ")";
    case K::GlorotUniform: return "glorot_uniform";
    case K::GlorotNormal: return "glorot_normal";
    case K::HeUniform: return "he_uniform";
    case K::HeNormal: return "he_normal";
  }
  return "?";
}

template <class T>
void initialise(Tensor<T>& t, const Init& init, Rng& rng) {
  using K = Init::Kind;
  const double fi = static_cast<double>(fan_in(t.shape));
  const double fo = static_cast<double>(fan_out(t.shape));
  auto fill_uniform = [&](double lo, double hi) {
    for (auto& v : t.data) v = static_cast<T>(rng.uniform(lo, hi));
  };
  auto fill_normal = [&](double mean, double sd) {
    for (auto& v : t.data) v = static_cast<T>(mean + sd * rng.normal());
  };
  switch (init.kind) {
    case K::Zeros: std::fill(t.data.begin(), t.data.end(), T(0)); break;
    case K::Constant: std::fill(t.data.begin(), t.data.end(), static_cast<T>(init.a)); break;
    case K::Uniform: fill_uniform(init.a, init.b); break;
    case K::Normal: fill_normal(init.a, init.b); break;
    case K::GlorotUniform: {
      const double b = init.a * std::sqrt(6.0 / (fi + fo));
      fill_uniform(-b, b);
      break;
    }
    case K::GlorotNormal: fill_normal(0, init.a * std::sqrt(2.0 / (fi + fo))); break;
    case K::HeUniform: {
      const double b = std::sqrt(6.0 / fi);
      fill_uniform(-b, b);
      break;
    }
    case K::HeNormal: fill_normal(0, std::sqrt(2.0 / fi)); break;
  }
}

template void initialise(Tensor<float>&, const Init&, Rng&);
template void initialise(Tensor<double>&, const Init&, Rng&);

}  // namespace aeg
