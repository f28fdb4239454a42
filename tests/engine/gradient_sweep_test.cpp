// Runs every registered gradient-check case, and fails for any registered op
// that has none: adding an op without a check case breaks the build's tests.
#include <catch2/catch.hpp>

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
