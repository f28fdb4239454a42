#include <catch2/catch.hpp>

#include "engine/executor.hpp"
#include "engine/ops.hpp"

using namespace aeg;

TEST_CASE("a broadcast add runs forward and backward", "[engine]") {
  Graph g;
  Var x = g.input("x", {3, 2}, true);
  Var b = g.param("b", {2}, Init::constant(0.5));
  Var y = square(x + b);
  Plan p = compile(g, {y});
  ParamStore<double> ps;
  Rng rng(1);
  ps.init_from(g, rng);
  Executor<double> ex(p, ps);
  ex.set_input(x, Tensor<double>({3, 2}, {1, 2, 3, 4, 5, 6}));
  ex.forward();
  auto v = ex.value(y);
  CHECK(v[0] == Approx(2.25));
  ex.backward();
  auto gx = ex.grad(x);
  CHECK(gx[5] == Approx(13.0));
  CHECK(ps.at("b").grad[0] == Approx(2 * (1.5 + 3.5 + 5.5)));
}
