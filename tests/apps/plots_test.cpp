// The apps' plots, end to end: each is written, is a PNG or SVG of the stated
// size, and says what it shows (class names or numbers, axis titles, values).
#include <catch2/catch.hpp>

#include <filesystem>

#include "analysis/anomaly.hpp"
#include "io/checkpoint.hpp"
#include "tests/apps/support.hpp"
#include "tests/plot/figure_files.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

const std::vector<std::string> kNames{"circles", "stripes & dots", "waves"};

std::string train(const TempDir& dir, const std::string& data, const std::string& model, const std::string& extra = "") {
  const std::string ck = dir / (model + ".h5");
  const Run r = run(kTrain + " --data " + data + " --model " + model + " --epochs 2 --batch 32 --quiet --out " + ck + " " + extra);
  INFO(r.out);
  REQUIRE(r.code == 0);
  return ck;
}

}  // namespace

TEST_CASE("ae-encode --plot draws axes, the split and a legend of the file's class names", "[apps][plot]") {
  TempDir dir;
  make_dataset(dir / "named.h5", 400, {1, 8, 8}, true, kNames);
  const std::string ck = train(dir, dir / "named.h5", "vae-2d");
  Run r = run(kEncode + " --checkpoint " + ck + " --data " + (dir / "named.h5") + " --out " + (dir / "c.h5") + " --plot " +
              (dir / "codes.svg"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  std::string svg = check_svg(dir / "codes.svg", 900, 700);
  for (const auto& name : kNames) CHECK(svg_has_text(svg, name));
  CHECK(svg_has_text(svg, "mu 0"));
  CHECK(svg_has_text(svg, "mu 1"));
  CHECK(svg_has_text_containing(svg, "of the test split"));
  CHECK(svg_has_text_containing(svg, ck));
  r = run(kEncode + " --checkpoint " + ck + " --data " + (dir / "named.h5") + " --out " + (dir / "c.h5") + " --plot " +
          (dir / "codes.png"));
  REQUIRE(r.code == 0);
  check_png(dir / "codes.png", 900, 700);

  SECTION("a file without class names: the legend falls back to numbers") {
    make_dataset(dir / "plain.h5", 400, {1, 8, 8});
    r = run(kEncode + " --checkpoint " + ck + " --data " + (dir / "plain.h5") + " --split train --out " + (dir / "p.h5") +
            " --plot " + (dir / "plain.svg"));
    INFO(r.out);
    REQUIRE(r.code == 0);
    svg = check_svg(dir / "plain.svg", 900, 700);
    for (const char* s : {"class 0", "class 1", "class 2"}) CHECK(svg_has_text(svg, s));
    CHECK_FALSE(svg_has_text(svg, "circles"));
    CHECK(svg_has_text_containing(svg, "of the train split"));
  }
  SECTION("a code of more than 2 units is drawn on its first two principal components") {
    const std::string wide = train(dir, dir / "named.h5", "undercomplete", "--code 5");
    r = run(kEncode + " --checkpoint " + wide + " --data " + (dir / "named.h5") + " --out " + (dir / "w.h5") + " --plot " +
            (dir / "wide.svg"));
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Contains("principal components"));
    svg = check_svg(dir / "wide.svg", 900, 700);
    CHECK(svg_has_text_containing(svg, "principal component 1 of the 5-unit code"));
    CHECK(svg_has_text_containing(svg, "principal component 2"));
    CHECK(svg_has_text(svg, "waves"));
  }
}

TEST_CASE("ae-train draws the learning curves every epoch, a resumed run continuing them", "[apps][plot]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 400, {1, 8, 8});
  std::filesystem::create_directory(dir.path / "run");
  const std::string ck = dir / "run/vae.h5";
  Run r = run(kTrain + " --data " + (dir / "img.h5") + " --model vae --epochs 2 --batch 32 --quiet --out " + ck);
  INFO(r.out);
  REQUIRE(r.code == 0);
  check_png(dir / "run/curves.png", 2 * 520 + 80, 440);
  std::string svg = check_svg(dir / "run/curves.svg", 2 * 520 + 80, 440);
  for (const char* s : {"epoch", "train (mean over the epoch)", "test (at the epoch's end)", "kl"}) CHECK(svg_has_text(svg, s));
  CHECK(svg_has_text_containing(svg, "epoch 2"));
  io::Checkpoint c = io::load_checkpoint(ck);
  REQUIRE(c.test_penalties.size() == 1);
  CHECK(c.test_penalties[0].first == "kl");
  CHECK(c.test_penalties[0].second.size() == 2);

  r = run(kTrain + " --data " + (dir / "img.h5") + " --epochs 3 --batch 32 --quiet --resume --out " + ck);
  INFO(r.out);
  REQUIRE(r.code == 0);
  svg = check_svg(dir / "run/curves.svg", 2 * 520 + 80, 440);
  CHECK(svg_has_text_containing(svg, "epoch 3"));
  CHECK(svg_has_text(svg, "3"));  // the x axis reaches the third epoch
  c = io::load_checkpoint(ck);
  CHECK(c.test_loss.size() == 3);
  CHECK(c.test_penalties[0].second.size() == 3);

  // ae-eval --curves redraws them from the checkpoint alone.
  std::filesystem::remove(dir / "run/curves.png");
  r = run(kEval + " --curves " + ck);
  INFO(r.out);
  REQUIRE(r.code == 0);
  check_png(dir / "run/curves.png", 2 * 520 + 80, 440);
  r = run(kEval + " --curves " + ck + " --plot " + (dir / "again.svg"));
  REQUIRE(r.code == 0);
  CHECK(svg_has_text_containing(check_svg(dir / "again.svg", 2 * 520 + 80, 440), "epoch 3"));

  SECTION("a model without penalties draws one panel") {
    const std::string ae = train(dir, dir / "img.h5", "undercomplete");
    check_png(dir / "curves.png", 520 + 80, 440);
    CHECK(io::load_checkpoint(ae).test_penalties.empty());
  }
  SECTION("a checkpoint that is not one is named") {
    r = run(kEval + " --curves " + (dir / "img.h5"));
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Contains("img.h5"));
  }
}

TEST_CASE("ae-eval --anomaly --normal-class --plot draws the ROC curve with its AUC and the scores' histograms", "[apps][plot]") {
  TempDir dir;
  make_dataset(dir / "named.h5", 400, {1, 8, 8}, true, kNames);
  const std::string ck = train(dir, dir / "named.h5", "undercomplete", "--only-class 1");
  const std::string base = kEval + " --checkpoint " + ck + " --data " + (dir / "named.h5") + " --anomaly " + (dir / "s.h5") +
                           " --normal-class 1";
  Run r = run(base + " --plot " + (dir / "roc.svg"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  const std::string svg = check_svg(dir / "roc.svg", 1100, 480);
  CHECK(std::regex_search(svg, std::regex(">AUC [01]\\.[0-9]{4}</text>")));
  CHECK(svg_has_text(svg, "ROC: anomalies told from stripes & dots"));
  CHECK(svg_has_text(svg, "false positive rate (normal samples flagged)"));
  CHECK(svg_has_text(svg, "true positive rate (anomalies flagged)"));
  CHECK(svg_has_text_containing(svg, "normal: stripes & dots"));
  CHECK(svg_has_text_containing(svg, "anomalous: the other classes"));
  REQUIRE(run(base + " --plot " + (dir / "roc.png")).code == 0);
  check_png(dir / "roc.png", 1100, 480);
  r = run(kEval + " --checkpoint " + ck + " --data " + (dir / "named.h5") + " --plot " + (dir / "x.png"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("--plot goes with"));
}

TEST_CASE("ae-generate labels the manifold's axes with code values and says what a strip joins", "[apps][plot]") {
  TempDir dir;
  make_dataset(dir / "named.h5", 400, {1, 8, 8}, true, kNames);
  const std::string ck = train(dir, dir / "named.h5", "vae-2d");
  Run r = run(kGenerate + " --checkpoint " + ck + " --manifold --steps 5 --out " + (dir / "m.svg"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  // Quantiles 0.1, 0.3, 0.5, 0.7, 0.9 of N(0, 1) on both axes.
  std::string svg = read_text(dir / "m.svg");
  for (const char* v : {"-1.28", "-0.52", "0.00", "0.52", "1.28"}) CHECK(svg_has_text(svg, v));
  CHECK(svg_has_text_containing(svg, "z 0, at quantiles (k + 0.5) / 5 of the prior N(0, 1)"));
  CHECK(svg_has_text(svg, "z 1"));
  REQUIRE(run(kGenerate + " --checkpoint " + ck + " --manifold --steps 5 --out " + (dir / "m.png")).code == 0);
  const io::PngImage png = io::read_png(dir / "m.png");
  CHECK(png.width > 5 * 8 * 8);  // the 8 x 8 tiles at 8 pixels a pixel, and the axes around them
  CHECK(svg.find(" width=\"" + std::to_string(png.width) + "\" height=\"" + std::to_string(png.height) + "\"") != std::string::npos);
  check_svg(dir / "m.svg", png.width, png.height);

  r = run(kGenerate + " --checkpoint " + ck + " --interpolate 0,3 --steps 4 --data " + (dir / "named.h5") + " --out " +
          (dir / "i.svg"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  svg = read_text(dir / "i.svg");
  CHECK(svg_has_text_containing(svg, "test image 0 ("));
  CHECK(svg_has_text_containing(svg, "test image 3 ("));
  CHECK(svg_has_text(svg, "#0"));
  CHECK(svg_has_text(svg, "#3"));
  CHECK(svg_has_text(svg, "0.33"));
  bool named = false;
  for (const auto& n : kNames) named = named || svg_has_text_containing(svg, "(" + n + ")");
  CHECK(named);
}
