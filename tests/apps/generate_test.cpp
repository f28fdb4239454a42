// The apps around a trained model: ae-encode, ae-generate, ae-denoise, ae-graph
// and ae-eval --anomaly, on small generated 8 x 8 image datasets (the code-space
// walks and ROC AUC they are built on: tests/analysis/).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/arrays.hpp"
#include "io/png.hpp"
#include "tests/apps/support.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

// The PNG grid of rows x cols 8 x 8 tiles with a 2-pixel gap between and around,
// every pixel drawn 3 x 3 (the default for images this small) or `scale` x `scale`.
void check_grid(const std::string& path, int rows, int cols, int scale = 3) {
  const io::PngImage im = io::read_png(path);
  CHECK(im.height == (rows * 8 + (rows + 1) * 2) * scale);
  CHECK(im.width == (cols * 8 + (cols + 1) * 2) * scale);
}

// Trains `model` for two epochs on an 8 x 8 dataset in dir; returns the checkpoint.
std::string trained(const TempDir& dir, const std::string& model, const std::string& extra = "") {
  const std::string ck = dir / (model + ".h5");
  const Run r = run(kTrain + " --data " + (dir / "img.h5") + " --model " + model + " --epochs 2 --batch 32 --quiet --out " +
                    ck + " " + extra);
  INFO(r.out);
  REQUIRE(r.code == 0);
  return ck;
}

}  // namespace

TEST_CASE("ae-encode writes every code with its label, and a scatter plot", "[apps]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 400, {1, 8, 8});
  const std::string ck = trained(dir, "vae-2d");
  const Run r = run(kEncode + " --checkpoint " + ck + " --data " + (dir / "img.h5") + " --out " + (dir / "codes.h5") +
                    " --plot " + (dir / "codes.png"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  const Tensor<float> codes = io::read_float_array(dir / "codes.h5", "/codes");
  CHECK(codes.shape == Shape{100, 2});
  for (float v : codes.data) CHECK(std::isfinite(v));
  const io::PngImage plot = io::read_png(dir / "codes.png");
  CHECK(plot.width == 900);
  CHECK(plot.channels == 3);
  // Refused: a code of one unit cannot be plotted.
  const std::string one = trained(dir, "undercomplete", "--code 1");
  const Run bad = run(kEncode + " --checkpoint " + one + " --data " + (dir / "img.h5") + " --out " + (dir / "c1.h5") +
                      " --plot " + (dir / "c1.png"));
  CHECK(bad.code == 2);
  CHECK_THAT(bad.out, Contains("at least 2 units"));
  CHECK_FALSE(std::filesystem::exists(dir / "c1.h5"));
}

TEST_CASE("ae-generate draws samples, lines, traversals and the 2-D manifold", "[apps]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 400, {1, 8, 8});
  const std::string ck = trained(dir, "vae-2d");
  const std::string base = kGenerate + " --checkpoint " + ck + " --out " + (dir / "g.png");
  Run r = run(base + " --sample 16");
  INFO(r.out);
  REQUIRE(r.code == 0);
  check_grid(dir / "g.png", 4, 4);
  REQUIRE(run(base + " --manifold --steps 5 --bare").code == 0);  // with axes: tests/apps/plots_test.cpp
  check_grid(dir / "g.png", 5, 5);
  REQUIRE(run(base + " --interpolate 0,3 --steps 6 --bare --data " + (dir / "img.h5")).code == 0);
  check_grid(dir / "g.png", 1, 6);
  REQUIRE(run(base + " --traverse 1 --rows 3 --steps 4").code == 0);
  check_grid(dir / "g.png", 3, 4);
  REQUIRE(run(base + " --traverse 0 --rows 2 --steps 5 --data " + (dir / "img.h5")).code == 0);
  check_grid(dir / "g.png", 2, 5);

  SECTION("refusals") {
    r = run(base + " --sample 4 --manifold");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("exactly one"));
    r = run(base + " --interpolate 0,9999 --data " + (dir / "img.h5"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("only 100 samples"));
    r = run(base + " --interpolate 0-3 --data " + (dir / "img.h5"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("I,J"));
    r = run(base + " --sample 4 --class 1");
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("conditional"));
    const std::string vae = trained(dir, "vae");
    r = run(kGenerate + " --checkpoint " + vae + " --manifold --out " + (dir / "m.png"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("2-D code") && Contains("20 units"));
    const std::string ae = trained(dir, "undercomplete");
    r = run(kGenerate + " --checkpoint " + ae + " --sample 4 --out " + (dir / "s.png"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("prior"));
  }
}

TEST_CASE("a conditional VAE generates the class asked for", "[apps]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 400, {1, 8, 8});
  const std::string ck = trained(dir, "cvae");
  const std::string base = kGenerate + " --checkpoint " + ck + " --out " + (dir / "g.png");
  Run r = run(base + " --sample 20");
  INFO(r.out);
  REQUIRE(r.code == 0);
  check_grid(dir / "g.png", 10, 2);  // one row per class
  REQUIRE(run(base + " --sample 4 --class 2").code == 0);
  check_grid(dir / "g.png", 2, 2);
  r = run(base + " --sample 4 --class 10");
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("0..9"));
}

TEST_CASE("ae-denoise reports PSNR before and after and draws the three rows", "[apps]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 400, {1, 8, 8});
  const std::string ck = trained(dir, "denoising", "--noise gaussian:0.3");
  const Run r = run(kDenoise + " --checkpoint " + ck + " --data " + (dir / "img.h5") + " --out " + (dir / "d.png"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("PSNR noisy") && Contains("PSNR denoised") && Contains("gaussian:0.3"));
  check_grid(dir / "d.png", 3, 8);
  const std::string plain = trained(dir, "undercomplete");
  const Run bad = run(kDenoise + " --checkpoint " + plain + " --data " + (dir / "img.h5") + " --out " + (dir / "e.png"));
  CHECK(bad.code == 2);
  CHECK_THAT(bad.out, Contains("--noise"));
}

TEST_CASE("ae-graph draws any recipe and traces a tiny one", "[apps]") {
  TempDir dir;
  Run r = run(kGraph + " --model tied --features 6 --code 2 --batch 1 --backward --trace --out " + (dir / "t.dot"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("forward") && Contains("backward"));
  std::ifstream f(dir / "t.dot");
  std::stringstream ss;
  ss << f.rdbuf();
  CHECK(ss.str().rfind("digraph", 0) == 0);
  CHECK_THAT(ss.str(), Contains("enc0/W"));
  for (const std::string model : {"vae", "cvae", "contractive", "k-sparse", "sparse-kl", "denoising", "deep"}) {
    INFO(model);
    CHECK(run(kGraph + " --model " + model + " --backward --out " + (dir / "g.dot")).code == 0);
  }
  r = run(kGraph + " --model tied --eval --backward --out " + (dir / "e.dot"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("--backward"));
}

TEST_CASE("ae-eval --anomaly writes per-sample errors and the ROC AUC", "[apps]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 600, {1, 8, 8});
  const std::string ck = trained(dir, "undercomplete", "--only-class 0");
  const Run r = run(kEval + " --checkpoint " + ck + " --data " + (dir / "img.h5") + " --anomaly " + (dir / "a.h5") +
                    " --normal-class 0");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("AUROC"));
  const Tensor<float> mse = io::read_float_array(dir / "a.h5", "/mse");
  CHECK(mse.shape == Shape{150});
  for (float v : mse.data) CHECK(v >= 0);
  // A class with no samples is refused before any figure is printed, and nothing is written.
  const Run bad = run(kEval + " --checkpoint " + ck + " --data " + (dir / "img.h5") + " --anomaly " + (dir / "b.h5") +
                      " --normal-class 42");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.out, Contains("--normal-class 42: no sample of /test/y"));
  CHECK_THAT(bad.out, !Contains("loss"));
  CHECK_FALSE(std::filesystem::exists(dir / "b.h5"));
  const Run alone = run(kEval + " --checkpoint " + ck + " --data " + (dir / "img.h5") + " --normal-class 0");
  CHECK(alone.code == 2);
  CHECK_THAT(alone.out, Contains("--normal-class goes with --anomaly"));
}

TEST_CASE("a label outside the model's classes is named by its row in the file", "[apps]") {
  TempDir dir;
  io::DatasetFormat fmt;
  fmt.sample_shape = {1, 8, 8};
  fmt.labels = true;
  io::SplitData train;
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) train.u8.push_back(static_cast<std::uint8_t>((i * 7 + j * 3) % 256));
    train.labels.push_back(i == 37 ? 12 : i % 10);  // one bad label, at row 37
  }
  io::write_dataset(dir / "bad.h5", fmt, train);
  const Run r = run(kTrain + " --data " + (dir / "bad.h5") + " --model cvae --batch 16 --epochs 1 --quiet --out " + (dir / "c.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains((dir / "bad.h5") + ": /train/y row 37 has label 12, expected 0..9"));
  CHECK_FALSE(std::filesystem::exists(dir / "c.h5"));
}

TEST_CASE("a conditional model without labels is refused before training", "[apps]") {
  TempDir dir;
  make_dataset(dir / "nolabels.h5", 200, {1, 8, 8}, false);
  const Run r = run(kTrain + " --data " + (dir / "nolabels.h5") + " --model cvae --epochs 1 --quiet --out " + (dir / "c.h5"));
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Contains("nolabels.h5") && Contains("/train/y is missing") && Contains("conditional"));
  CHECK_FALSE(std::filesystem::exists(dir / "c.h5"));
}

TEST_CASE("the apps draw pictures N x N by --scale, and refuse a scale out of 1 to 64 before any work", "[apps]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 400, {1, 8, 8});
  const std::string ck = trained(dir, "denoising", "--noise gaussian:0.3 --scale 2");
  check_grid(dir / "recon.png", 2, 8, 2);
  REQUIRE(run(kGenerate + " --checkpoint " + ck + " --interpolate 0,3 --steps 4 --bare --data " + (dir / "img.h5") +
              " --scale 1 --out " + (dir / "g.png")).code == 0);
  check_grid(dir / "g.png", 1, 4, 1);
  REQUIRE(run(kDenoise + " --checkpoint " + ck + " --data " + (dir / "img.h5") + " --scale 5 --out " + (dir / "d.png")).code == 0);
  check_grid(dir / "d.png", 3, 8, 5);
  for (const char* bad : {"0", "65"}) {
    const Run r = run(kGenerate + " --checkpoint " + ck + " --interpolate 0,3 --data " + (dir / "img.h5") + " --scale " + bad +
                      " --out " + (dir / "bad.png"));
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains("--scale must be between 1 and 64"));
    CHECK_FALSE(std::filesystem::exists(dir / "bad.png"));
  }
}
