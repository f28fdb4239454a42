// Mistakes in building or feeding a graph are clear std::invalid_argument
// errors that name the op and the shapes, never crashes.
#include <catch2/catch.hpp>

#include <functional>

#include "engine/executor.hpp"
#include "engine/ops.hpp"

using namespace aeg;
using Catch::Matchers::Contains;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument thrown)";
}

}  // namespace

TEST_CASE("add of (3, 4) and (5) names the op and both shapes", "[shape_errors]") {
  Graph g;
  Var a = g.input("a", {3, 4});
  Var b = g.input("b", {5});
  const std::string msg = error_of([&] { (void)(a + b); });
  INFO(msg);
  CHECK_THAT(msg, Contains("add") && Contains("[3, 4]") && Contains("[5]"));
  CHECK(g.size() == 2);  // nothing was appended
  // The graph is still usable afterwards.
  Var c = a + g.input("c", {4});
  CHECK(c.shape() == Shape{3, 4});
}

TEST_CASE("matmul of (3, 4) and (5, 6) names the op and both shapes", "[shape_errors]") {
  Graph g;
  Var a = g.input("a", {3, 4});
  Var b = g.input("b", {5, 6});
  std::string msg = error_of([&] { (void)matmul(a, b); });
  INFO(msg);
  CHECK_THAT(msg, Contains("matmul") && Contains("[3, 4]") && Contains("[5, 6]"));
  // Transposed, (4, 3) x (5, 6) is no better; (3, 4) x (6, 5)^T is.
  msg = error_of([&] { (void)matmul(a, b, true, false); });
  CHECK_THAT(msg, Contains("matmul") && Contains("[3, 4]") && Contains("[5, 6]"));
  CHECK(matmul(a, g.input("d", {6, 4}), false, true).shape() == Shape{3, 6});
  // Not 2-D.
  msg = error_of([&] { (void)matmul(g.input("v", {4}), b); });
  CHECK_THAT(msg, Contains("matmul") && Contains("[4]"));
}

TEST_CASE("linear with a weight or bias of the wrong shape", "[shape_errors]") {
  Graph g;
  Var x = g.input("x", {8, 10});
  std::string msg = error_of([&] { (void)linear(x, g.param("W", {4, 9}, Init::zeros()), g.param("b", {4}, Init::zeros())); });
  INFO(msg);
  CHECK_THAT(msg, Contains("linear") && Contains("[8, 10]") && Contains("[4, 9]"));
  msg = error_of([&] { (void)linear(x, g.param("W2", {4, 10}, Init::zeros()), g.param("b2", {5}, Init::zeros())); });
  CHECK_THAT(msg, Contains("linear") && Contains("[5]"));
}

TEST_CASE("losses check that prediction and target agree", "[shape_errors]") {
  Graph g;
  Var p = g.input("p", {8, 10});
  Var t = g.input("t", {8, 11});
  const std::string msg = error_of([&] { (void)bce(p, t); });
  INFO(msg);
  CHECK_THAT(msg, Contains("bce") && Contains("[8, 10]") && Contains("[8, 11]"));
  CHECK_THAT(error_of([&] { (void)mse(p, t); }), Contains("mse"));
}

TEST_CASE("set_input with a wrong shape is a clear error", "[shape_errors]") {
  Graph g;
  Var x = g.input("x", {2, 3}, true);
  Var y = square(x);
  const Plan plan = compile(g, {y});
  ParamStore<float> ps;
  Executor<float> ex(plan, ps);
  const std::string msg = error_of([&] { ex.set_input(x, Tensor<float>({3, 2})); });
  INFO(msg);
  CHECK_THAT(msg, Contains("'x'") && Contains("[2, 3]") && Contains("[3, 2]"));
  // Feeding something that is not an input, or a Var of another graph.
  CHECK_THAT(error_of([&] { ex.set_input(y, Tensor<float>({2, 3})); }), Contains("not an input"));
  Graph other;
  Var z = other.input("z", {2, 3});
  CHECK_THAT(error_of([&] { ex.set_input(z, Tensor<float>({2, 3})); }), Contains("another graph"));
  // The executor still works.
  ex.set_input(x, Tensor<float>({2, 3}, 2.0f));
  ex.forward();
  CHECK(ex.value(y)[0] == 4.0f);
}

TEST_CASE("compile with an output of another graph, and ops across graphs", "[shape_errors]") {
  Graph g1, g2;
  Var a = g1.input("a", {2});
  Var b = g2.input("b", {2});
  CHECK_THAT(error_of([&] { (void)compile(g1, {square(b)}); }), Contains("does not belong to this graph"));
  CHECK_THAT(error_of([&] { (void)compile(g1, {}); }), Contains("no outputs"));
  CHECK_THAT(error_of([&] { (void)(a + b); }), Contains("different graphs"));
}

TEST_CASE("parameters missing from the store or of the wrong shape", "[shape_errors]") {
  Graph g;
  Var x = g.input("x", {4, 3});
  Var y = linear(x, g.param("W", {2, 3}, Init::zeros()), g.param("b", {2}, Init::zeros()));
  const Plan plan = compile(g, {y});
  ParamStore<float> empty;
  CHECK_THAT(error_of([&] { Executor<float> ex(plan, empty); }), Contains("'W'") && Contains("init_from"));
  ParamStore<float> wrong;
  wrong.add("W", Tensor<float>({3, 2}));
  wrong.add("b", Tensor<float>({2}));
  CHECK_THAT(error_of([&] { Executor<float> ex(plan, wrong); }), Contains("[3, 2]") && Contains("[2, 3]"));
  Rng rng(1);
  CHECK_THAT(error_of([&] { wrong.init_from(g, rng); }), Contains("'W'"));
  // The same name declared twice with two shapes.
  CHECK_THAT(error_of([&] { (void)g.param("W", {3, 3}, Init::zeros()); }), Contains("'W'") && Contains("[3, 3]"));
}

TEST_CASE("reshape, concat and slice say what does not fit", "[shape_errors]") {
  Graph g;
  Var a = g.input("a", {4, 6});
  CHECK_THAT(error_of([&] { (void)reshape(a, {5, -1}); }), Contains("reshape") && Contains("[4, 6]"));
  CHECK_THAT(error_of([&] { (void)reshape(a, {-1, -1}); }), Contains("reshape"));
  CHECK_THAT(error_of([&] { (void)concat({a, g.input("b", {3, 5})}, 1); }), Contains("concat") && Contains("[3, 5]"));
  CHECK_THAT(error_of([&] { (void)slice(a, 1, 2, 9); }), Contains("slice") && Contains("[4, 6]"));
  CHECK_THAT(error_of([&] { (void)sum(a, 2); }), Contains("sum") && Contains("[4, 6]"));
}
