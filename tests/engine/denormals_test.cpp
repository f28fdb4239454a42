// The engine flushes denormals to zero inside its own work, on every thread alike,
// and leaves the caller's floating-point mode as it found it.
#include <catch2/catch.hpp>

#include <xmmintrin.h>

#include "engine/executor.hpp"
#include "engine/ops.hpp"

using namespace aeg;

TEST_CASE("denormal results are flushed to zero in forward, and the caller's mode is restored", "[engine]") {
  for (const int threads : {1, 2}) {
    INFO(threads << " thread(s)");
    Graph g;
    // 1e-20 * 1e-20 = 1e-40 is below float's smallest normal (1.2e-38).
    Var x = g.input("x", {4096});
    Var y = mul_scalar(x, 1e-20);
    const Plan plan = compile(g, {y}, {.grads = false});
    ParamStore<float> ps;
    Executor<float> ex(plan, ps, {.threads = threads});
    std::fill(ex.input_data(x), ex.input_data(x) + 4096, 1e-20f);
    const unsigned before = _mm_getcsr();
    ex.forward();
    CHECK(_mm_getcsr() == before);
    for (float v : ex.value(y).data) REQUIRE(v == 0.0f);
    // Outside the engine, the same product is the denormal it always was.
    volatile float a = 1e-20f, b = 1e-20f;
    CHECK(a * b > 0.0f);
  }
}
