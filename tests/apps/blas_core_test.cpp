// Every app runs OpenBLAS's fast kernels even where OpenBLAS does not know the CPU
// (the engine switches it at the first Executor: engine/cpu.hpp), and a core named by
// the user stands.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/apps/support.hpp"

using Catch::Matchers::Contains;
using namespace aeg::test;

namespace {

std::string core_of(const std::string& env) {
  const Run r = run(env + " " + kBench + " --workloads W5 --threads 1 --warmup 0 --min-steps 1 --min-time 0 --json");
  REQUIRE(r.code == 0);
  const auto line = r.out.find("{\"workload\"");
  REQUIRE(line != std::string::npos);
  return nlohmann::json::parse(r.out.substr(line, r.out.find('\n', line) - line))["blas_core"].get<std::string>();
}

}  // namespace

TEST_CASE("apps leave OpenBLAS's generic kernels for the CPU's own, unless told a core", "[apps][blas]") {
  __builtin_cpu_init();
  const std::string chosen = core_of("env -u OPENBLAS_CORETYPE");
  INFO("OpenBLAS kernels without OPENBLAS_CORETYPE: " << chosen);
  CHECK(!chosen.empty());
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) CHECK(chosen != "Prescott");
  CHECK(core_of("OPENBLAS_CORETYPE=Prescott") == "Prescott");
}
