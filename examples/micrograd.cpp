// micrograd's README example, on 0-d values, with the executor's trace of every
// forward and backward step; checks micrograd's printed numbers.
//   a = -4.0, b = 2.0, c = a + b, d = a * b + b**3, c += c + 1, c += 1 + c + (-a),
//   d += d * 2 + (b + a).relu(), d += 3 * d + (b - a).relu(), e = c - d, f = e**2,
//   g = f / 2.0, g += 10.0 / f  ->  g.data 24.7041, a.grad 138.8338, b.grad 645.5773
#include <aegraph/engine/executor.hpp>
#include <aegraph/engine/ops.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
using namespace aeg;

int main() {
  Graph graph;
  Var a = graph.input("a", {}, true), b = graph.input("b", {}, true);  // {}: a 0-d value
  Var c = a + b;
  Var d = a * b + pow_scalar(b, 3);
  c = c + (c + 1);
  c = c + (1 + c + (-a));
  d = d + (d * 2 + relu(b + a));
  d = d + (3 * d + relu(b - a));
  Var e = (c - d).named("e");  // names show in the trace
  Var f = pow_scalar(e, 2).named("f");
  Var g = (f / 2.0 + 10.0 / f).named("g");

  ParamStore<double> none;  // no parameters: a and b are inputs that take a gradient
  Executor<double> ex(compile(graph, {g}), none, {.trace = &std::cout});
  ex.set_input(a, Tensor<double>({}, -4.0));
  ex.set_input(b, Tensor<double>({}, 2.0));
  ex.forward();
  ex.backward();

  const double gv = ex.scalar(g), ga = ex.grad(a)[0], gb = ex.grad(b)[0];
  std::printf("g.data = %.4f\na.grad = %.4f\nb.grad = %.4f\n", gv, ga, gb);
  auto round4 = [](double v) { return std::round(v * 1e4) / 1e4; };
  if (round4(gv) != 24.7041 || round4(ga) != 138.8338 || round4(gb) != 645.5773) {
    std::printf("FAILED: micrograd prints 24.7041, 138.8338, 645.5773\n");
    return 1;
  }
  std::printf("ok: micrograd's numbers\n");
}
