#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <span>
#include <string>
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
  ex.bind_input(x, mem);
  CHECK(run() == copied_a);
  CHECK(mem == a);  // forward and backward only read it
  CHECK(ex.value(x).data == a);
  mem = b;  // the executor sees the caller's memory, not a snapshot
  CHECK(run() == copied_b);

  std::vector<double> other = a;
  ex.bind_input(x, other);
  CHECK(run() == copied_a);

  ex.set_input(x, Tensor<double>({2, 3}, b));  // back to the executor's own buffer
  other.assign(6, 100.0);
  CHECK(run() == copied_b);
  double* own = ex.input_data(x);
  std::copy(a.begin(), a.end(), own);
  CHECK(run() == copied_a);

  CHECK_THROWS_WITH(ex.bind_input(x, std::span<const double>()), Catch::Contains("null") && Catch::Contains("'x'"));
  CHECK_THROWS_WITH(ex.bind_input(y, mem), Catch::Contains("not an input"));
}

TEST_CASE("bind_input refuses memory of another size than the input, naming it", "[engine]") {
  // A 96-row tail bound to a 128-row graph once read past the caller's buffer.
  Graph g;
  Var x = g.input("x", {128, 4});
  Var y = sum(x);
  ParamStore<float> ps;
  Executor<float> ex(compile(g, {y}, {.grads = false}), ps);
  const std::vector<float> tail(96 * 4, 1.0f), over(129 * 4, 1.0f), exact(128 * 4, 1.0f);
  CHECK_THROWS_WITH(ex.bind_input(x, tail), Catch::Contains("'x'") && Catch::Contains("[128, 4]") &&
                                                Catch::Contains("512 values") && Catch::Contains("384 values were given"));
  CHECK_THROWS_WITH(ex.bind_input(x, over), Catch::Contains("516 values were given"));
  ex.bind_input(x, exact);
  ex.forward();
  CHECK(ex.scalar(y) == 512.0f);
}

TEST_CASE("forward refuses an input never given data, naming it, and each way of feeding counts", "[engine]") {
  Graph g;
  Var x = g.input("x", {2, 2});
  Var t = g.input("target", {2, 2});
  Var unused = g.input("unused", {3});
  Var y = mse(x, t);
  ParamStore<float> ps;
  Executor<float> ex(compile(g, {y}, {.grads = false}), ps);
  CHECK_THROWS_AS(ex.forward(), std::logic_error);
  CHECK_THROWS_WITH(ex.forward(), Catch::Contains("input 'x'") && Catch::Contains("never given data"));
  ex.set_input(x, Tensor<float>({2, 2}, 1.0f));
  CHECK_THROWS_WITH(ex.forward(), Catch::Contains("input 'target'"));
  const std::vector<float> zeros(4, 0.0f);
  ex.bind_input(t, zeros);
  ex.forward();  // `unused` feeds no output: not needed
  CHECK(ex.scalar(y) == 1.0f);  // 1/2 sum of squares per sample (1/2 (1 + 1)), mean over 2 samples
  CHECK_THROWS_WITH(ex.set_input(unused, Tensor<float>({3})), Catch::Contains("not used"));

  Executor<float> ex2(compile(g, {y}, {.grads = false}), ps);
  std::fill_n(ex2.input_data(x), 4, 1.0f);
  std::fill_n(ex2.input_data(t), 4, 1.0f);
  ex2.forward();
  CHECK(ex2.scalar(y) == 0.0f);
}

TEST_CASE("an executor made from a temporary plan runs after its graph is gone", "[engine]") {
  // Executor<float> ex(compile(g, {loss}), params) once kept a reference to the temporary plan,
  // and the plan a pointer to the graph.
  ParamStore<float> ps;
  std::unique_ptr<Executor<float>> ex;
  Var x, w, loss;
  {
    auto g = std::make_unique<Graph>();
    x = g->input("x", {1, 2});
    w = g->param("w", {1, 2}, Init::constant(0.5));
    loss = sum(matmul(x, w, false, true));
    Rng rng(1);
    ps.init_from(*g, rng);
    ex = std::make_unique<Executor<float>>(compile(*g, {loss}), ps);
    g->input("added_later", {7});  // not part of the plan: its nodes are copied at compile
  }
  // The Vars are only compared by address: names, shapes and values come from the plan's copy.
  ex->set_input(x, Tensor<float>({1, 2}, std::vector<float>{2, 4}));
  ex->forward();
  ex->backward();
  CHECK(ex->scalar(loss) == 3.0f);
  CHECK(ps.at("w").grad.data == std::vector<float>{2, 4});
  CHECK(ex->plan().graph().size() == 4);  // x, w, matmul, sum: not added_later
  CHECK(ex->plan().graph().label(loss.id) == "sum#3");
}

TEST_CASE("a plan outlives its graph and copies of it share one snapshot", "[engine]") {
  Plan p;
  Var x;
  {
    Graph g;
    x = g.input("x", {2});
    p = compile(g, {tanh(x).named("h")}, {.grads = false});
  }
  const Plan q = p;
  CHECK(&q.graph() == &p.graph());
  CHECK(p.graph().node(1).name == "h");
  ParamStore<double> ps;
  Executor<double> ex(p, ps);
  ex.set_input(x, Tensor<double>({2}, 0.0));
  ex.forward();
  CHECK(ex.value(Var{const_cast<Graph*>(&p.graph()), 1}).data == std::vector<double>{0, 0});
  CHECK_THROWS_WITH(Executor<double>(Plan(), ps), Catch::Contains("empty plan"));
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
