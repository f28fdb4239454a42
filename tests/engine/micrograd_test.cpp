// The example from micrograd's README, line for line, on 0-d values:
//
//   a = Value(-4.0); b = Value(2.0)
//   c = a + b; d = a * b + b**3
//   c += c + 1; c += 1 + c + (-a)
//   d += d * 2 + (b + a).relu(); d += 3 * d + (b - a).relu()
//   e = c - d; f = e**2; g = f / 2.0; g += 10.0 / f
//   print(f'{g.data:.4f}')  # 24.7041
//   g.backward()
//   print(f'{a.grad:.4f}')  # 138.8338
//   print(f'{b.grad:.4f}')  # 645.5773
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "engine/dot.hpp"
#include "engine/executor.hpp"
#include "engine/gradcheck.hpp"
#include "engine/ops.hpp"

using namespace aeg;

namespace {

struct Micrograd {
  Graph graph;
  Var a, b, g;
  Micrograd() {
    a = graph.input("a", {}, true);
    b = graph.input("b", {}, true);
    Var c = a + b;
    Var d = a * b + pow_scalar(b, 3);
    c = c + (c + 1);
    c = c + (1 + c + (-a));
    d = d + (d * 2 + relu(b + a));
    d = d + (3 * d + relu(b - a));
    Var e = c - d;
    Var f = pow_scalar(e, 2);
    g = f / 2.0;
    g = (g + 10.0 / f).named("g");
  }
};

double round4(double x) { return std::round(x * 1e4) / 1e4; }

}  // namespace

TEST_CASE("micrograd's README example gives micrograd's numbers", "[micrograd]") {
  Micrograd m;
  CHECK(m.g.shape().empty());
  const Plan plan = compile(m.graph, {m.g});
  ParamStore<double> ps;
  Executor<double> ex(plan, ps);
  ex.set_input(m.a, Tensor<double>({}, -4.0));
  ex.set_input(m.b, Tensor<double>({}, 2.0));
  ex.forward();
  ex.backward();
  CHECK(round4(ex.scalar(m.g)) == 24.7041);
  CHECK(round4(ex.grad(m.a)[0]) == 138.8338);
  CHECK(round4(ex.grad(m.b)[0]) == 645.5773);
  // Not just to 4 decimals: the exact values (from micrograd in double).
  CHECK(ex.scalar(m.g) == Approx(24.70408163265306).epsilon(1e-14));
  CHECK(ex.grad(m.a)[0] == Approx(138.83381924198252).epsilon(1e-14));
  CHECK(ex.grad(m.b)[0] == Approx(645.5772594752186).epsilon(1e-14));

  // Running it again gives the same (gradients of inputs are re-seeded, not accumulated).
  ex.forward();
  ex.backward();
  CHECK(round4(ex.grad(m.a)[0]) == 138.8338);
}

TEST_CASE("micrograd's example passes gradcheck and draws", "[micrograd]") {
  Micrograd m;
  ParamStore<double> ps;
  const GradcheckReport r =
      gradcheck(m.graph, m.g, {{m.a, Tensor<double>({}, -4.0)}, {m.b, Tensor<double>({}, 2.0)}}, ps);
  INFO(r.message());
  CHECK(r.ok);
  CHECK(r.checked == 2);

  const Plan plan = compile(m.graph, {m.g}, {.reuse_memory = false});
  ParamStore<float> none;  // micrograd's example has inputs only
  Executor<float> ex(plan, none);
  ex.set_input(m.a, Tensor<float>({}, -4.0f));
  ex.set_input(m.b, Tensor<float>({}, 2.0f));
  ex.forward();
  ex.backward();
  CHECK(ex.scalar(m.g) == Approx(24.7041).epsilon(1e-5));
  const std::string dot = to_dot(plan, {.backward = true, .values = &ex});
  CHECK(dot.find("relu") != std::string::npos);
  CHECK(dot.find("sum of") != std::string::npos);  // a, b, c, d, f are each used more than once
}
