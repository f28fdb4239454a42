// ae-graph's SVG and PNG through Graphviz's library (or, in a build without it,
// a clear refusal), and its stepper page: one file that needs no network.
#include <catch2/catch.hpp>

#include <regex>

#include "io/png.hpp"
#include "tests/apps/support.hpp"

using namespace aeg::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// "" if the XML's elements nest properly (every <a> closed by its own </a>, in
// order), else where they do not. Comments, <?...?> and <!...> are skipped.
std::string xml_nesting(const std::string& xml) {
  std::vector<std::string> open;
  for (std::size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
    if (xml.compare(at, 4, "<!--") == 0) {
      at = xml.find("-->", at);
      if (at == std::string::npos) return "an unclosed comment";
      continue;
    }
    const std::size_t end = xml.find('>', at);
    if (end == std::string::npos) return "an unclosed tag at " + std::to_string(at);
    const std::string tag = xml.substr(at + 1, end - at - 1);
    if (tag.empty() || tag[0] == '?' || tag[0] == '!' || tag.back() == '/') continue;
    const std::string name = tag.substr(tag[0] == '/', tag.find_first_of(" \t\n/", 1) - (tag[0] == '/'));
    if (tag[0] != '/') {
      open.push_back(name);
    } else if (open.empty() || open.back() != name) {
      return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) + ">";
    } else {
      open.pop_back();
    }
  }
  return open.empty() ? std::string() : "<" + open.back() + "> never closed";
}

}  // namespace

TEST_CASE("the XML nesting check finds what is wrong", "[apps][graph]") {
  CHECK(xml_nesting("<?xml version=\"1.0\"?><svg a=\"b\"><g><title>n0</title><path d=\"M0\"/></g></svg>").empty());
  CHECK(xml_nesting("<svg><g></svg>") == "</svg> closes <g>");
  CHECK(xml_nesting("<svg><g></g>") == "<svg> never closed");
}

#ifdef AEGRAPH_GRAPHVIZ

TEST_CASE("ae-graph draws SVG through Graphviz: well-formed, every node and gradient named", "[apps][graph]") {
  TempDir dir;
  // With --html too: two drawings in one process (Graphviz 2.42 once read freed memory then).
  const Run r = run(kGraph + " --model tied --features 6 --code 2 --batch 1 --backward --html " + (dir / "tied.html") +
                    " --out " + (dir / "tied.svg"));
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("wrote " + (dir / "tied.svg")));
  const std::string svg = slurp(dir / "tied.svg");
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK_THAT(svg, Contains("<svg"));
  CHECK(xml_nesting(svg).empty());
  INFO(xml_nesting(svg));
  // The nodes' DOT ids as titles (what the stepper highlights) and their names as text.
  for (const char* s : {"<title>n0</title>", ">x</text>", ">enc0/W</text>", ">code</text>", ">loss</text>",
                        ">grad enc0/W</text>", ">sum of 2 contributions</text>"})
    CHECK_THAT(svg, Contains(s));
  for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("ae-graph draws PNG through Graphviz", "[apps][graph]") {
  TempDir dir;
  REQUIRE(run(kGraph + " --example neuron --trace --out " + (dir / "neuron.PNG")).code == 0);
  const aeg::io::PngImage png = aeg::io::read_png(dir / "neuron.PNG");
  CHECK(png.width > 200);
  CHECK(png.height > 200);
}

#else

TEST_CASE("ae-graph without Graphviz's library refuses SVG before any work, and still writes DOT", "[apps][graph]") {
  TempDir dir;
  const Run r = run(kGraph + " --model tied --out " + (dir / "tied.svg"));
  CHECK(r.code == 1);  // not a bad option: this build lacks what the option needs
  CHECK_THAT(r.out, Contains("built without Graphviz's library"));
  CHECK(!fs::exists(dir / "tied.svg"));
  CHECK(run(kGraph + " --model tied --out " + (dir / "tied.dot")).code == 0);
}

#endif

TEST_CASE("ae-graph's stepper page is one file with the trace's steps and no network", "[apps][graph]") {
  TempDir dir;
  const Run r = run(kGraph + " --example neuron --html " + (dir / "n.html") + " --out " + (dir / "n.dot"));
  REQUIRE(r.code == 0);
  const std::string page = slurp(dir / "n.html");
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  // Every step of the trace, by its node: 5 forward, the seed, 5 backward.
  CHECK_THAT(page, Contains("\"lines\":[\"forward    5  o = tanh(n)"));
  CHECK_THAT(page, Contains("\"lines\":[\"backward seed  do/do = 1\"]"));
  CHECK_THAT(page, Contains("do/dx1 += -1.5"));
  // Nothing fetched: no script or style from elsewhere, no address but the SVG namespaces.
  CHECK_THAT(page, !Contains("<script src") && !Contains("<link"));
  const std::string rest = std::regex_replace(page, std::regex("http://www\\.w3\\.org/[A-Za-z0-9/._-]*"), "");
  CHECK_THAT(rest, !Contains("http://") && !Contains("https://"));
#ifdef AEGRAPH_GRAPHVIZ
  CHECK_THAT(page, Contains("<title>g3</title>"));  // the backward graph drawn, for the highlights
#endif
  // The trace is only printed when asked for; a recipe's page is refused on the evaluation graph.
  CHECK_THAT(r.out, !Contains("forward "));
  CHECK(run(kGraph + " --model tied --eval --html " + (dir / "e.html")).code == 2);
}

TEST_CASE("ae-graph --finite-differences agrees with backprop, the VAE's sample replayed every pass", "[apps][graph]") {
  TempDir dir;
  const Run r = run(kGraph + " --model vae --features 3 --hidden 2 --code 1 --batch 2 --finite-differences --out " +
                    (dir / "v.dot"));
  REQUIRE(r.code == 0);
  const std::regex line(R"(^d\S+\[\d+\] +backprop (\S+) +finite differences (\S+)$)");
  int compared = 0;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    const double backprop = std::stod(m[1]), numeric = std::stod(m[2]);
    INFO(l);
    CHECK(std::abs(backprop - numeric) <= 1e-4 + 1e-3 * std::abs(numeric));
    ++compared;
  }
  // enc0 (2 x 3 + 2), mu and logvar (2 + 1 each), dec0 (2 + 2), dec1 (3 x 2 + 3): every element.
  CHECK(compared == 8 + 3 + 3 + 4 + 9);
}
