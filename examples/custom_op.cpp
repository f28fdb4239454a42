// An op written outside the library through the custom-op contract (engine/op.hpp):
// y = x^3 elementwise, its backward beside its forward, in float and double from
// one template. gradcheck compares its gradient with finite differences, and
// catches a deliberately wrong one.
#include <aegraph/engine/gradcheck.hpp>
#include <aegraph/engine/ops.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
using namespace aeg;

class Cube : public OpImpl<Cube> {
 public:
  explicit Cube(double slope = 3) : slope_(slope) {}  // slope 3 is right; anything else is a bug
  std::string_view name() const override { return "cube"; }
  Shape infer(const std::vector<Shape>& in) const override {
    if (in.size() != 1) throw std::invalid_argument("cube takes one input");
    return in[0];
  }
  Saves saves() const override { return {.inputs = true}; }  // backward reads x

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    for (std::int64_t i = 0; i < c.out_size(); ++i) c.out[i] = c.in[0][i] * c.in[0][i] * c.in[0][i];
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {  // dL/dx += dL/dy * 3 x^2 (added: x may feed other ops)
    if (!c.gin[0]) return;             // x needs no gradient
    for (std::int64_t i = 0; i < c.out_size(); ++i) c.gin[0][i] += c.gout[i] * T(slope_) * c.in[0][i] * c.in[0][i];
  }

 private:
  double slope_;
};

Var cube(Var x, double slope = 3) { return x.graph().apply(std::make_shared<Cube>(slope), {x}); }

GradcheckReport check(double slope) {
  Graph g;
  Var x = g.input("x", {3, 4}, true);
  Var w = g.param("w", {4}, Init::uniform(-1, 1));
  Var y = sum(tanh(cube(x, slope) * w));  // composed with library ops, a parameter broadcast over rows
  ParamStore<double> params;
  Rng rng(7);
  params.init_from(g, rng);
  Tensor<double> xv({3, 4});
  for (auto& v : xv.data) v = rng.uniform(-1, 1);
  return gradcheck(g, y, {{x, xv}}, params);
}

int main() {
  const GradcheckReport right = check(3), wrong = check(2);
  std::cout << "cube:          " << right.message() << "\n";
  std::cout << "a wrong cube:  " << wrong.message() << "\n";
  if (!right.ok || right.checked != 16 || wrong.ok) {
    std::printf("FAILED: gradcheck should pass the cube and fail the wrong one\n");
    return 1;
  }
  std::printf("ok: the custom op's gradient agrees with finite differences\n");
}
