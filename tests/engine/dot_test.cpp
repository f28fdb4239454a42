// write_dot (forward and backward graphs, value summaries) and the executor's trace.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/dot.hpp"
#include "engine/executor.hpp"
#include "engine/ops.hpp"

using namespace aeg;
using Catch::Matchers::Contains;

namespace {

// A small structural check of DOT text: "digraph name {", balanced braces and
// quotes, statements ending with ';', and the node ids it declares.
struct DotShape {
  bool ok = true;
  std::string why;
  std::set<std::string> nodes;                          // declared with [ ... ]
  std::vector<std::pair<std::string, std::string>> edges;
};

// The identifier at line[at...], advancing `at` past it ("" if none).
std::string identifier(const std::string& line, std::size_t& at) {
  const std::size_t start = at;
  auto word = [](char c, bool first) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                                              (!first && std::isdigit(static_cast<unsigned char>(c))); };
  while (at < line.size() && word(line[at], at == start)) ++at;
  return line.substr(start, at - start);
}

// Whether line[at...] is " [ ... ];" up to the end of the line.
bool attrs_end(const std::string& line, std::size_t at) {
  return line.compare(at, 2, " [") == 0 && line.size() >= at + 4 && line.compare(line.size() - 2, 2, "];") == 0;
}

DotShape parse(const std::string& text) {
  DotShape r;
  if (text.rfind("digraph ", 0) != 0) return {false, "does not start with 'digraph '", {}, {}};
  int depth = 0;
  bool in_quote = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quote) {
      if (c == '\\') ++i;
      else if (c == '"') in_quote = false;
      continue;
    }
    if (c == '"') in_quote = true;
    if (c == '{') ++depth;
    if (c == '}' && --depth < 0) return {false, "unbalanced '}'", {}, {}};
  }
  if (in_quote) return {false, "unterminated string", {}, {}};
  if (depth != 0) return {false, "unbalanced '{'", {}, {}};
  std::istringstream is(text);
  std::string line;
  std::getline(is, line);
  while (std::getline(is, line)) {
    if (line.find("//") != std::string::npos && line.find('"') == std::string::npos) continue;
    std::size_t at = line.find_first_not_of(" \t");
    const std::string a = at == std::string::npos ? "" : identifier(line, at);
    std::string b;
    if (!a.empty() && line.compare(at, 4, " -> ") == 0 && !(b = identifier(line, at += 4)).empty() &&
        (line.substr(at) == ";" || attrs_end(line, at))) {
      r.edges.emplace_back(a, b);
    } else if (!a.empty() && attrs_end(line, at)) {
      if (a != "graph" && a != "node" && a != "edge") r.nodes.insert(a);
    } else if (line.find('{') == std::string::npos && line.find('}') == std::string::npos &&
               (line.empty() || line.back() != ';')) {
      return {false, "statement without ';': " + line, {}, {}};
    }
  }
  for (const auto& [a, b] : r.edges)
    if (!r.nodes.count(a) || !r.nodes.count(b)) return {false, "edge to an undeclared node: " + a + " -> " + b, {}, {}};
  return r;
}

// c = a * b; d = c + a (a is used twice); e = d^2; plus a node nobody uses.
struct Small {
  Graph g;
  Var a, b, c, d, e, dead;
  Small() {
    a = g.input("a", {2, 3}, true);
    b = g.param("b", {3}, Init::constant(0.5));
    c = (a * b).named("c");
    d = (c + a).named("d");
    e = square(d).named("e");
    dead = exp(c).named("dead");
  }
};

bool has_dot() { return std::system("dot -V > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("write_dot draws one box per live node with op and shape", "[dot]") {
  Small s;
  const Plan plan = compile(s.g, {s.e});
  const std::string text = to_dot(plan, {.title = "small"});
  const DotShape p = parse(text);
  INFO(text);
  REQUIRE(p.ok);
  INFO(p.why);
  for (int id = 0; id < s.g.size(); ++id) {
    const std::string n = "n" + std::to_string(id);
    CHECK(p.nodes.count(n) == (plan.live(id) ? 1u : 0u));
  }
  CHECK(p.nodes.count("n" + std::to_string(s.dead.id)) == 0);
  CHECK_THAT(text, Contains("mul") && Contains("add") && Contains("square") && Contains("[2, 3]") &&
                       Contains("[3]") && Contains("input (requires grad)") && Contains("param, init"));
  CHECK_THAT(text, Contains("peripheries=2"));  // the output
  CHECK(text.find("dead") == std::string::npos);
  CHECK(text.find("cluster_backward") == std::string::npos);  // no backward asked for
  // Forward edges: a feeds c and d.
  int from_a = 0;
  for (const auto& [x, y] : p.edges) from_a += x == "n" + std::to_string(s.a.id);
  CHECK(from_a == 2);
}

TEST_CASE("write_dot with backward draws the reverse walk and where gradients add", "[dot]") {
  Small s;
  const Plan plan = compile(s.g, {s.e}, {.reuse_memory = false});
  ParamStore<double> ps;
  Rng rng(1);
  ps.init_from(s.g, rng);
  Executor<double> ex(plan, ps);
  ex.set_input(s.a, Tensor<double>({2, 3}, {1, 2, 3, -1, -2, -3}));
  ex.forward();
  ex.backward();
  std::ostringstream os;
  write_dot(os, ex, {.backward = true});
  const std::string text = os.str();
  INFO(text);
  const DotShape p = parse(text);
  INFO(p.why);
  REQUIRE(p.ok);
  for (int id = 0; id < s.g.size(); ++id) {
    const bool want = plan.live(id) && plan.needs_grad(id);
    CHECK(p.nodes.count("g" + std::to_string(id)) == (want ? 1u : 0u));
  }
  const std::string ga = "g" + std::to_string(s.a.id), gb = "g" + std::to_string(s.b.id);
  const std::string gc = "g" + std::to_string(s.c.id), gd = "g" + std::to_string(s.d.id);
  const std::string ge = "g" + std::to_string(s.e.id);
  std::multiset<std::pair<std::string, std::string>> grad_edges;
  for (const auto& e : p.edges)
    if (e.first[0] == 'g' && e.second[0] == 'g') grad_edges.insert(e);
  CHECK(grad_edges.count({ge, gd}) == 1);
  CHECK(grad_edges.count({gd, gc}) == 1);
  CHECK(grad_edges.count({gd, ga}) == 1);
  CHECK(grad_edges.count({gc, ga}) == 1);
  CHECK(grad_edges.count({gc, gb}) == 1);
  CHECK(grad_edges.size() == 5);
  CHECK_THAT(text, Contains("sum of 2 contributions"));  // a is used twice
  CHECK_THAT(text, Contains("1: square") && Contains("seed de/de = 1"));
  CHECK_THAT(text, Contains("style=dashed"));
  // Value summaries: d = a * 0.5 + a = 1.5 a, so its values run from -4.5 to 4.5;
  // e = d^2 has mean (2.25 + 9 + 20.25) * 2 / 6 = 10.5.
  CHECK_THAT(text, Contains("value min -4.5 mean 0 max 4.5"));
  CHECK_THAT(text, Contains("value min 2.25 mean 10.5 max 20.25"));
  // grad a = 2 d * 1.5 = 4.5 a, grad b = sum over rows of 2 d * a = 3 a^2 summed: [6, 24, 54].
  CHECK_THAT(text, Contains("grad min -13.5 mean 0 max 13.5"));
  CHECK_THAT(text, Contains("grad min 6 mean 28 max 54"));

  if (has_dot()) {
    const std::string path = "aegraph_dot_test.dot";
    std::ofstream(path) << text;
    CHECK(std::system(("dot -Tsvg " + path + " -o /dev/null").c_str()) == 0);
    std::remove(path.c_str());
  } else {
    WARN("graphviz 'dot' is not installed: the drawing was not rendered");
  }
}

TEST_CASE("write_dot after a run of a memory-reusing plan shows what is kept", "[dot]") {
  Small s;
  const Plan plan = compile(s.g, {s.e});  // reuse_memory = true
  ParamStore<float> ps;
  Rng rng(1);
  ps.init_from(s.g, rng);
  Executor<float> ex(plan, ps);
  ex.set_input(s.a, Tensor<float>({2, 3}, 1.0f));
  ex.forward();
  ex.backward();
  const std::string text = to_dot(plan, {.backward = true, .values = &ex});
  REQUIRE(parse(text).ok);
  // Inputs, params and the output have values; c and d do not.
  CHECK_THAT(text, Contains("value min 0.5 mean 0.5 max 0.5"));  // the parameter b
  CHECK_THAT(text, Contains("value min 2.25 mean 2.25 max 2.25"));  // e = (1.5)^2
  std::istringstream is(text);
  std::string line;
  while (std::getline(is, line))
    if (line.rfind("  n" + std::to_string(s.c.id) + " [", 0) == 0) CHECK(line.find("value") == std::string::npos);

  // Another plan's executor, and backward on an inference plan, are refused.
  const Plan other = compile(s.g, {s.e});
  CHECK_THROWS_WITH(to_dot(other, {.values = &ex}), Contains("another plan"));
  const Plan infer = compile(s.g, {s.e}, {.grads = false});
  CHECK_THROWS_WITH(to_dot(infer, {.backward = true}), Contains("without gradients"));
  CHECK(parse(to_dot(infer)).ok);
}

TEST_CASE("names with quotes and backslashes are escaped", "[dot]") {
  Graph g;
  Var x = g.input("x \"quoted\" \\ back", {2});
  Var y = mul_scalar(x, 2).named("y\nnext");
  const Plan plan = compile(g, {y}, {.grads = false});
  const std::string text = to_dot(plan);
  INFO(text);
  CHECK(parse(text).ok);
  CHECK_THAT(text, Contains(R"(x \"quoted\" \\ back)") && Contains(R"(y\nnext)") && Contains("mul_scalar (s=2"));
}

TEST_CASE("trace prints each forward and backward step with numbers", "[dot][trace]") {
  // The micrograd README's opening lines: c = a + b; d = a * b + b^3; e = c * d.
  Graph g;
  Var a = g.input("a", {}, true);
  Var b = g.input("b", {}, true);
  Var c = (a + b).named("c");
  Var ab = (a * b).named("ab");
  Var b3 = pow_scalar(b, 3).named("b3");
  Var d = (ab + b3).named("d");
  Var e = (c * d).named("e");
  const Plan plan = compile(g, {e});
  ParamStore<double> ps;
  std::ostringstream os;
  Executor<double> ex(plan, ps, {.trace = &os});
  ex.set_input(a, Tensor<double>({}, -4.0));
  ex.set_input(b, Tensor<double>({}, 2.0));
  ex.forward();
  ex.backward();
  const std::string t = os.str();
  INFO(t);
  // c = -2, ab = -8, b3 = 8, d = 0, e = 0; de/dc = d = 0, de/dd = c = -2,
  // de/da = 1 * 0 + b * -2 = -4, de/db = 0 + a * -2 + 3 b^2 * -2 = 8 - 24 = -16.
  CHECK_THAT(t, Contains("forward    1  c = add(a, b)") && Contains("[] -2\n"));
  CHECK_THAT(t, Contains("b3 = pow_scalar[p=3") && Contains("(b)"));
  CHECK_THAT(t, Contains("backward seed  de/de = 1"));
  CHECK_THAT(t, Contains("backward   1  e = mul(c, d)"));
  CHECK_THAT(t, Contains("de/dd += -2\n"));
  // b gets -24 through b^3 first, then 8 through a * b; c adds 0 to both.
  CHECK_THAT(t, Contains("de/db += -24\n") && Contains("de/db += 8  (now -16)"));
  CHECK_THAT(t, Contains("de/da += -4\n") && Contains("de/da += 0  (now -4)"));
  // Every forward step and every backward step has a line.
  std::size_t fw = 0, bw = 0, pos = 0;
  while ((pos = t.find("forward ", pos)) != std::string::npos) ++fw, ++pos;
  pos = 0;
  while ((pos = t.find("backward ", pos)) != std::string::npos) ++bw, ++pos;
  CHECK(fw == plan.forward_order().size());
  CHECK(bw == plan.backward_order().size() + 1);  // + the seed
  CHECK(ex.grad(a)[0] == Approx(-4));
  CHECK(ex.grad(b)[0] == Approx(-16));
}

TEST_CASE("trace shows a long value abbreviated", "[trace]") {
  Graph g;
  Var x = g.input("x", {10}, true);
  Var y = (x * 3.0).named("y");
  const Plan plan = compile(g, {y});
  ParamStore<float> ps;
  std::ostringstream os;
  Executor<float> ex(plan, ps, {.trace = &os});
  Tensor<float> v({10});
  for (int i = 0; i < 10; ++i) v[i] = static_cast<float>(i);
  ex.set_input(x, v);
  ex.forward();
  ex.backward();
  INFO(os.str());
  CHECK_THAT(os.str(), Contains("[0, 3, 6, 9, 12, 15, 18, 21, ... (10 values)]"));
  CHECK_THAT(os.str(), Contains("dy/dx += [3, 3, 3, 3, 3, 3, 3, 3, ... (10 values)]"));
}
