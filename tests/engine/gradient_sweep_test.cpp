// Runs every gradient-check case, and fails for any registered op that has none
// and for any op in a case's graph that is not registered: an op cannot be added
// without both a check case and its line in engine/registry.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include "check_cases.hpp"
#include "engine/gradcheck.hpp"
#include "engine/op.hpp"
#include "engine/ops.hpp"

using namespace aeg;
using namespace aeg::test;

TEST_CASE("every registered op has a gradient-check case", "[gradcheck][sweep]") {
  for (const std::string& op : registered_ops()) {
    INFO("op: " << op);
    CHECK(check_cases().count(op) > 0);
  }
}

TEST_CASE("every op a gradient-check case builds is registered, and the case builds its op", "[gradcheck][sweep]") {
  std::uint64_t seed = 1;
  for (const auto& [op, cc] : check_cases()) {
    Graph g;
    Rng rng(seed++);
    CheckSetup s{g, rng, {}};
    cc.build(s);
    INFO(op << " / " << cc.title);
    CHECK(unregistered_ops(g).empty());
    CHECK(op_names(g).count(op) == 1);
  }
}

// An op class with its name but outside engine/registry.cpp's list.
class UnlistedOp : public OpImpl<UnlistedOp> {
 public:
  std::string_view name() const override { return "unlisted_twice"; }
  Shape infer(const std::vector<Shape>& in) const override { return in.at(0); }
  Saves saves() const override { return {}; }
  template <class T> void fwd(const OpCtx<T>& c) const {
    for (std::int64_t i = 0; i < c.out_size(); ++i) c.out[i] = 2 * c.in[0][i];
  }
  template <class T> void bwd(const OpCtx<T>& c) const {
    for (std::int64_t i = 0; i < c.out_size(); ++i)
      if (c.gin[0]) c.gin[0][i] += 2 * c.gout[i];
  }
};

TEST_CASE("the sweep's registry check names an op class that is not registered", "[gradcheck][sweep]") {
  Graph g;
  Var x = g.input("x", {2, 2}, true);
  sigmoid(g.apply(std::make_shared<UnlistedOp>(), {x}));
  CHECK(unregistered_ops(g) == std::vector<std::string>{"unlisted_twice"});
}

TEST_CASE("the registry lists ops of every file of engine/ops in a normal static link", "[gradcheck][sweep]") {
  // Without --whole-archive a registry filled by static initialisers listed 19 of 46.
  const auto ops = registered_ops();
  for (const char* name : {"add", "sigmoid", "matmul", "linear", "conv2d", "conv_transpose2d", "max_pool2d",
                           "contractive", "k_sparse", "bce", "masking_noise", "sum", "mean", "slice"})
    CHECK(std::count(ops.begin(), ops.end(), name) == 1);
  CHECK(std::is_sorted(ops.begin(), ops.end()));
}

TEST_CASE("every gradient-check case passes in double precision", "[gradcheck][sweep]") {
  std::uint64_t seed = 1;
  for (const auto& [op, cc] : check_cases()) {
    // Three random draws per case: shapes and values differ each time.
    for (int rep = 0; rep < 3; ++rep, ++seed) {
      Graph g;
      Rng rng(seed);
      CheckSetup s{g, rng, {}};
      Var out = cc.build(s);
      ParamStore<double> ps;
      ps.init_from(g, rng);
      GradcheckOptions o;
      o.seed = seed;
      o.atol = cc.atol;
      o.rtol = cc.rtol;
      const GradcheckReport r = gradcheck(g, out, s.feeds, ps, o);
      INFO(op << " / " << cc.title << " (draw " << rep << "): " << r.message());
      CHECK(r.ok);
      CHECK(r.checked > 0);
    }
  }
}

TEST_CASE("gradcheck catches a wrong gradient", "[gradcheck]") {
  // Near 0, sqrt bends too fast for a central difference: the check must say so.
  Graph g;
  Var x = g.input("x", {1}, true);
  Var y = sqrt(x);
  ParamStore<double> ps;
  const GradcheckReport r = gradcheck(g, y, {{x, Tensor<double>({1}, {2e-6})}}, ps);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.message(), Catch::Matchers::Contains("x[0]") && Catch::Matchers::Contains("sqrt"));
}

// An op is registered where it is defined: every name an op class of engine/ops/
// gives itself (its name() or its function struct's name) is in the registry, and so
// (the first test above) has a gradient-check case. Without this, an op written with
// neither its registry line nor a case would escape the float64 sweep unseen.
TEST_CASE("every op name defined in engine/ops/ is registered, so the sweep checks it", "[gradcheck][sweep]") {
  namespace fs = std::filesystem;
  const auto registered = registered_ops();
  const std::regex method(R"re(name\(\) const override \{([^}]*)\})re"),
      member(R"re(constexpr const char\* name = "([a-z_0-9]+)")re"), literal(R"re("([a-z_0-9]+)")re");
  std::set<std::string> defined;
  for (const auto& entry : fs::directory_iterator(fs::path(AEGRAPH_SOURCE_DIR) / "engine" / "ops")) {
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto m = std::sregex_iterator(text.begin(), text.end(), member); m != std::sregex_iterator(); ++m)
      defined.insert((*m)[1]);
    for (auto m = std::sregex_iterator(text.begin(), text.end(), method); m != std::sregex_iterator(); ++m) {
      const std::string body = (*m)[1];
      for (auto l = std::sregex_iterator(body.begin(), body.end(), literal); l != std::sregex_iterator(); ++l)
        defined.insert((*l)[1]);
    }
  }
  CHECK(defined.size() >= registered.size() - 2);  // the scan reads the sources (conv2d_relu and its kin share names)
  for (const std::string& name : defined) {
    INFO("op '" << name << "' is defined in engine/ops/ but not listed by engine/registry.cpp");
    CHECK(std::find(registered.begin(), registered.end(), name) != registered.end());
  }
}
