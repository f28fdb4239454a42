#include <catch2/catch.hpp>

#include <vector>

#include "engine/executor.hpp"
#include "engine/ops.hpp"

using namespace aeg;

TEST_CASE("bind_input reads caller memory without copying and leaves it unchanged", "[engine]") {
  Graph g;
  Var x = g.input("x", {2, 3}, true);
  Var w = g.param("w", {3, 3}, Init::constant(0.25));
  Var y = sum(square(sigmoid(matmul(x, w))) + x);  // x read by two ops
  Plan p = compile(g, {y});
  ParamStore<double> ps;
  Rng rng(1);
  ps.init_from(g, rng);
  Executor<double> ex(p, ps);

  const std::vector<double> a = {1, -2, 3, 0.5, 0, -1};
  const std::vector<double> b = {2, 2, 2, -1, -1, -1};
  auto run = [&] {
    ps.zero_grad();
    ex.forward();
    ex.backward();
    return std::pair{ex.scalar(y), ex.grad(x).data};
  };
  ex.set_input(x, Tensor<double>({2, 3}, a));
  const auto copied_a = run();
  ex.set_input(x, Tensor<double>({2, 3}, b));
  const auto copied_b = run();

  std::vector<double> mem = a;
  ex.bind_input(x, mem.data());
  CHECK(run() == copied_a);
  CHECK(mem == a);  // forward and backward only read it
  CHECK(ex.value(x).data == a);
  mem = b;  // the executor sees the caller's memory, not a snapshot
  CHECK(run() == copied_b);

  std::vector<double> other = a;
  ex.bind_input(x, other.data());
  CHECK(run() == copied_a);

  ex.set_input(x, Tensor<double>({2, 3}, b));  // back to the executor's own buffer
  other.assign(6, 100.0);
  CHECK(run() == copied_b);
  double* own = ex.input_data(x);
  std::copy(a.begin(), a.end(), own);
  CHECK(run() == copied_a);

  CHECK_THROWS_WITH(ex.bind_input(x, nullptr), Catch::Contains("null") && Catch::Contains("'x'"));
  CHECK_THROWS_WITH(ex.bind_input(y, mem.data()), Catch::Contains("not an input"));
}

TEST_CASE("an executor on huge pages and one without give the same bits, with a planned arena over 2 MiB", "[engine]") {
  // The arena (values and gradients of 512 x 1024 activations) is past the 2 MiB at
  // which ExecOptions::huge_pages takes a 2 MiB aligned, advised allocation.
  Graph g;
  Var x = g.input("x", {512, 256});
  Var w = g.param("w", {1024, 256}, Init::glorot_uniform());
  Var b = g.param("b", {1024}, Init::zeros());
  Var loss = mean(square(tanh(linear(x, w, b))));
  Plan p = compile(g, {loss});
  Tensor<float> xv({512, 256});
  Rng rng(3);
  for (auto& v : xv.data) v = static_cast<float>(rng.uniform(-1, 1));
  std::vector<std::vector<float>> grads;
  std::vector<std::int64_t> planned;
  for (bool huge : {true, false}) {
    ParamStore<float> ps;
    Rng init(7);
    ps.init_from(g, init);
    Executor<float> ex(p, ps, {.threads = 2, .huge_pages = huge});
    planned.push_back(ex.planned_bytes());
    ex.set_input(x, xv);
    ps.zero_grad();
    ex.forward();
    ex.backward();
    grads.push_back(ps.at("w").grad.data);
  }
  CHECK(planned[0] > (std::int64_t{2} << 20));
  CHECK(planned[0] == planned[1]);
  CHECK(grads[0] == grads[1]);
}
