// The plotting module: round ticks, figures written as PNG and SVG of the
// stated size with their text, histograms, the principal-component projection.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "engine/rng.hpp"
#include "io/error.hpp"
#include "plot/figure.hpp"
#include "plot/histogram.hpp"
#include "plot/projection.hpp"
#include "plot/ticks.hpp"
#include "plot/tiles.hpp"
#include "tests/apps/support.hpp"
#include "tests/plot/figure_files.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

plot::Figure two_lines() {
  plot::Axes a;
  a.title = "loss <per> sample & more";
  a.x_label = "epoch";
  a.y_label = "loss";
  a.series.push_back({.label = "train", .x = {1, 2, 3}, .y = {3, 2, 1.5}, .color = plot::palette(0)});
  a.series.push_back({.label = "test", .x = {1, 2, 3}, .y = {3.5, 2.5, 2}, .color = plot::palette(1)});
  a.notes = {"AUC 0.5"};
  plot::Figure f;
  f.width = 640;
  f.height = 400;
  f.title = "a figure";
  f.panels.push_back(a);
  return f;
}

}  // namespace

TEST_CASE("ticks are round numbers that cover the range", "[plot]") {
  CHECK(plot::nice_ticks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
  const auto t = plot::nice_ticks(-3.7, 12.2);
  REQUIRE(t.size() >= 3);
  CHECK(t.front() <= -3.7);
  CHECK(t.back() >= 12.2);
  CHECK(t[1] - t[0] == Approx(5));
  CHECK(plot::log_ticks(0.01, 100) == std::vector<double>{0.01, 0.1, 1, 10, 100});
  CHECK(plot::log_ticks(1, 5) == std::vector<double>{1, 2, 5, 10});  // under 2 decades: 2 and 5 too
  CHECK(plot::tick_label(0.25, 0.05) == "0.25");
  CHECK(plot::tick_label(1000, 500) == "1000");
  CHECK(plot::tick_label(1e-4, 1e-4) == "1e-04");
  CHECK(plot::spans_decades({300, 2}, 1.5));
  CHECK_FALSE(plot::spans_decades({300, 200}, 1.5));
}

TEST_CASE("a figure is written as a PNG and an SVG of its size, the SVG with its text", "[plot]") {
  TempDir dir;
  plot::save(two_lines(), dir / "f.png");
  check_png(dir / "f.png", 640, 400);
  plot::save(two_lines(), dir / "f.svg");
  const std::string svg = check_svg(dir / "f.svg", 640, 400);
  CHECK(svg_has_text(svg, "a figure"));
  CHECK(svg_has_text(svg, "loss <per> sample & more"));  // escaped in the file, read back whole
  CHECK(svg.find("loss &lt;per&gt; sample &amp; more") != std::string::npos);
  for (const char* s : {"epoch", "loss", "train", "test", "AUC 0.5"}) CHECK(svg_has_text(svg, s));
  CHECK(svg_has_text(svg, "2.0"));  // a y tick
  // Only the named files: the temps were renamed over them.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++files;
  CHECK(files == 2);
}

TEST_CASE("a log axis is labelled in powers of ten", "[plot]") {
  TempDir dir;
  plot::Figure f = two_lines();
  f.panels[0].series[0].y = {1000, 10, 0.1};
  f.panels[0].log_y = true;
  plot::save(f, dir / "log.svg");
  const std::string svg = check_svg(dir / "log.svg", 640, 400);
  for (const char* s : {"0.1", "1", "10", "100", "1000"}) CHECK(svg_has_text(svg, s));
}

TEST_CASE("save refuses an unknown extension, an empty figure and a folder that is not there", "[plot]") {
  TempDir dir;
  CHECK_THROWS_WITH(plot::save(two_lines(), dir / "f.jpg"), Contains("f.jpg") && Contains(".png or .svg"));
  CHECK_THROWS_WITH(plot::save(plot::Figure{}, dir / "e.png"), Contains("no panels"));
  CHECK_THROWS_AS(plot::save(two_lines(), dir / "no-such-folder/f.svg"), io::DataError);
  CHECK_THROWS_AS(plot::save(two_lines(), dir / "no-such-folder/f.png"), io::DataError);
}

TEST_CASE("histogram bars count every value, and as densities integrate to one", "[plot]") {
  const std::vector<float> v{0.1f, 0.2f, 0.2f, 0.9f, 5.0f, NAN};
  const plot::Series counts = plot::histogram(v, 0, 1, 4, false);
  CHECK(counts.x == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(counts.y == std::vector<double>{3, 0, 0, 2});  // 5 goes to the last bin, NaN nowhere
  const plot::Series d = plot::histogram(v, 0, 1, 4, true);
  double area = 0;
  for (double h : d.y) area += h * 0.25;
  CHECK(area == Approx(1));
}

TEST_CASE("the projection finds the two directions of largest variance", "[plot]") {
  // Rows spread 3 : 1 along (1, 1, 0, 0) and (0, 0, 1, -1), with a little noise.
  Rng rng(5);
  const std::int64_t n = 2000, d = 4;
  std::vector<float> rows;
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = 3 * rng.normal(), b = rng.normal();
    for (double v : {a, a, b, -b}) rows.push_back(static_cast<float>(v + 0.01 * rng.normal() + 7));
  }
  const plot::Projection p = plot::principal_components(rows, n, d);
  CHECK(p.explained_1 == Approx(0.9).margin(0.02));
  CHECK(p.explained_2 == Approx(0.1).margin(0.02));
  // Coordinate 1 is (a + a) / sqrt 2 up to sign, after centring.
  double dot = 0, norm_a = 0, norm_p = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = rows[static_cast<std::size_t>(i * d)] - 7;
    dot += a * p.x[static_cast<std::size_t>(i)];
    norm_a += a * a;
    norm_p += p.x[static_cast<std::size_t>(i)] * p.x[static_cast<std::size_t>(i)];
  }
  CHECK(std::abs(dot) / std::sqrt(norm_a * norm_p) == Approx(1).margin(1e-3));
  CHECK_THROWS(plot::principal_components(rows, n, 1));
}

TEST_CASE("tiles are laid out with their gaps, and a raster is drawn in a figure", "[plot]") {
  Tensor<float> images({3, 1, 2, 2});
  for (std::size_t i = 0; i < images.data.size(); ++i) images.data[i] = static_cast<float>(i) / 11;
  const plot::Raster r = plot::tile_raster(images, 2, 2, 1);
  CHECK(r.width == 2 * 2 + 3);
  CHECK(r.height == 2 * 2 + 3);
  CHECK(r.rgb[(1 * 7 + 1) * 3] == 0);                  // image 0's first pixel
  CHECK(r.rgb[(1 * 7 + 4) * 3] == std::lround(4 * 255.0 / 11));  // image 1's first pixel
  CHECK(r.rgb[(4 * 7 + 4) * 3] == 255);                // no image 3: background
  plot::Figure f;
  f.panels.push_back({.x_label = "code unit 0"});
  f.panels[0].image = r;
  f.panels[0].x_ticks = {{0, "-1.5"}, {1, "1.5"}};
  TempDir dir;
  plot::save(f, dir / "tiles.svg");
  const std::string svg = check_svg(dir / "tiles.svg", 800, 600);
  CHECK(svg.find("data:image/png;base64,iVBORw0KGgo") != std::string::npos);  // the PNG signature, in base64
  CHECK(svg_has_text(svg, "-1.5"));
}

TEST_CASE("a figure of one point, of NaN only or of an empty range still draws", "[plot]") {
  TempDir dir;
  plot::Figure f = two_lines();
  f.panels[0].series = {{.label = "one", .x = {1}, .y = {2}}, {.label = "none", .x = {NAN}, .y = {NAN}}};
  f.panels[0].x_range = std::pair<double, double>{1, 1};
  f.panels[0].log_y = true;
  plot::save(f, dir / "odd.svg");
  const std::string svg = check_svg(dir / "odd.svg", 640, 400);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  plot::save(f, dir / "odd.png");
  check_png(dir / "odd.png", 640, 400);
}
