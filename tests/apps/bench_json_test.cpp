// ae-bench's JSON lines (../shared/bench-models.md), parsed as JSON and checked
// for their values, as bench/compare.sh and other scripts read them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "engine/kernels/gemm.hpp"
#include "tests/apps/support.hpp"

using namespace aeg::test;
using nlohmann::json;

namespace {

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream is(out);
  std::string line;
  while (std::getline(is, line))
    if (!line.empty() && line[0] == '{') lines.push_back(json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("ae-bench prints the agreed JSON line, a line per workload and thread count", "[apps][bench]") {
  const Run r = run(kBench + " --workloads W2,W5 --threads 1,2 --warmup 0 --min-steps 2 --min-time 0 --json");
  INFO(r.out);
  REQUIRE(r.code == 0);
  const std::vector<json> lines = json_lines(r.out);
  REQUIRE(lines.size() == 4);
  for (const json& j : lines) {
    CHECK((j["workload"] == "W2" || j["workload"] == "W5"));
    CHECK((j["threads"] == 1 || j["threads"] == 2));
    CHECK(j["steps_per_s"].get<double>() > 0);
    CHECK(j["best_steps_per_s"].get<double>() >= j["steps_per_s"].get<double>());
    CHECK(j["planned_bytes"].get<std::int64_t>() > 0);
    CHECK(j["planned_bytes"].get<std::int64_t>() <= j["naive_bytes"].get<std::int64_t>());
    CHECK(j["peak_rss_mib"].get<double>() > 1);
    CHECK_FALSE(j["blas_core"].get<std::string>().empty());
    CHECK(j["gemm_max_tiles"].get<std::int64_t>() == aeg::gemm_max_tiles());
  }
  CHECK(lines[0]["workload"] == "W2");
  CHECK(lines[0]["batch"] == 256);
  CHECK(lines[0]["gflops"].get<double>() > 0);  // W2 counts its flops
}

TEST_CASE("ae-bench profiles every node of a zoo recipe as JSON", "[apps][bench]") {
  const Run r = run(kBench + " --model conv-strided --batch 8 --threads 1 --warmup 1 --min-steps 2 --min-time 0 --profile --json");
  INFO(r.out);
  REQUIRE(r.code == 0);
  const std::vector<json> lines = json_lines(r.out);
  REQUIRE(lines.size() == 2);
  const json& p = lines[1];
  double sum = 0;
  bool dconv2 = false;
  for (const json& node : p["profile_median_ms"]) {
    CHECK(node["forward"].get<double>() >= 0);
    sum += node["forward"].get<double>() + node["backward"].get<double>();
    dconv2 = dconv2 || (node["node"] == "dconv2/a" && node["op"] == "conv2d");
  }
  CHECK(dconv2);
  CHECK(sum == Approx(p["ops_ms"].get<double>()).epsilon(0.01));
  CHECK(p["step_ms"].get<double>() > 0);
}

TEST_CASE("AEGRAPH_GEMM_MAX_TILES sets the GEMM tile cap, and a malformed one is refused", "[apps][bench][gemm]") {
  const std::string cmd = kBench + " --workloads W5 --threads 1 --warmup 0 --min-steps 1 --min-time 0 --json";
  const Run set = run("AEGRAPH_GEMM_MAX_TILES=3 " + cmd);
  INFO(set.out);
  REQUIRE(set.code == 0);
  CHECK(json_lines(set.out).at(0)["gemm_max_tiles"] == 3);
  for (const std::string bad : {"abc", "0", "-4", "8x", "2000"}) {
    const Run r = run("AEGRAPH_GEMM_MAX_TILES=" + bad + " " + cmd);
    INFO(bad << ": " << r.out);
    CHECK(r.code != 0);
    CHECK(r.out.find("AEGRAPH_GEMM_MAX_TILES=" + bad + ": expected a whole number from 1 to 1024") != std::string::npos);
  }
}
