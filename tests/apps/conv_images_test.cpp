// The conv zoo on a user's own images through the programs: colour, odd sizes,
// two channels, a flat file given --image-shape, and layer options checked against
// the file's shape rather than the recipes' 28 x 28.
#include <catch2/catch.hpp>

#include <filesystem>

#include "io/png.hpp"
#include "tests/apps/support.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

const std::string kQuick = " --epochs 1 --batch 16 --train-limit 32 --test-limit 16 --quiet";

// A grid of `cols` tiles of w pixels with the grids' 2-pixel gaps.
// Tiles of w pixels with a 2-pixel gap between and around, the whole drawn `scale` times
// (the apps' default: 3 for images up to 32 pixels a side, else 1).
int grid_width(int cols, int w, int scale) { return (cols * w + (cols + 1) * 2) * scale; }

}  // namespace

TEST_CASE("every conv recipe trains on 3 x 32 x 32 colour images and draws them in colour", "[apps][conv][shapes]") {
  TempDir dir;
  const std::string data = dir / "rgb.h5";
  make_dataset(data, 64, {3, 32, 32});
  for (const std::string name : {"conv", "conv-strided", "conv-pool", "conv-denoise", "conv-vae"}) {
    INFO(name);
    const std::string ck = dir / (name + ".h5");
    std::filesystem::remove(dir / "recon.png");
    Run r = run(kTrain + " --data " + data + " --model " + name + kQuick + " --out " + ck);
    INFO(r.out);
    REQUIRE(r.code == 0);
    const io::PngImage png = io::read_png(dir / "recon.png");
    CHECK(png.channels == 3);
    CHECK(png.width == grid_width(8, 32, 3));
    CHECK(png.height == grid_width(2, 32, 3));
  }
  Run r = run(kGenerate + " --checkpoint " + (dir / "conv-vae.h5") + " --sample 6 --out " + (dir / "s.png"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(io::read_png(dir / "s.png").channels == 3);
  r = run(kDenoise + " --checkpoint " + (dir / "conv-denoise.h5") + " --data " + data + " --count 4 --out " + (dir / "d.png"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  const io::PngImage d = io::read_png(dir / "d.png");
  CHECK((d.channels == 3 && d.width == grid_width(4, 32, 3) && d.height == grid_width(3, 32, 3)));
}

TEST_CASE("conv recipes train on odd-sized and two-channel images", "[apps][conv][shapes]") {
  TempDir dir;
  make_dataset(dir / "odd.h5", 48, {3, 30, 45});
  for (const std::string name : {"conv", "conv-pool", "conv-denoise"}) {
    INFO(name);
    Run r = run(kTrain + " --data " + (dir / "odd.h5") + " --model " + name + kQuick + " --out " + (dir / "o.h5"));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const io::PngImage png = io::read_png(dir / "recon.png");
    CHECK((png.channels == 3 && png.width == grid_width(8, 45, 1) && png.height == grid_width(2, 30, 1)));
  }
  // Two channels have no colour meaning: each image is drawn channel by channel.
  make_dataset(dir / "two.h5", 48, {2, 8, 8});
  Run r = run(kTrain + " --data " + (dir / "two.h5") + " --model conv-strided" + kQuick + " --out " + (dir / "t.h5"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  const io::PngImage png = io::read_png(dir / "recon.png");
  CHECK((png.channels == 1 && png.width == grid_width(16, 8, 3) && png.height == grid_width(2, 8, 3)));
}

TEST_CASE("layer options are checked against the file's image shape", "[apps][conv][shapes]") {
  TempDir dir;
  make_dataset(dir / "rgb.h5", 48, {3, 32, 32});
  const std::string base = kTrain + " --data " + (dir / "rgb.h5") + kQuick + " --model conv-strided";
  // The override docs/reference.md shows, ending in the file's 3 channels, trains.
  Run r = run(base + " --conv-decoder convt8-k3-s2-p1-op1-relu,convt16-k3-s2-p1-op1-relu,conv3-k3-s1-p1 --out " + (dir / "a.h5"));
  INFO(r.out);
  CHECK(r.code == 0);
  // One ending in a single channel is refused, naming the file, its shape and the mismatch.
  r = run(base + " --conv-decoder convt8-k3-s2-p1-op1-relu,convt16-k3-s2-p1-op1-relu,conv1-k3-s1-p1 --out " + (dir / "b.h5"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("rgb.h5 (/train/x: 3x32x32 images)") &&
                        Contains("the conv decoder ends in 1,32,32, not the image shape 3,32,32"));
  CHECK_FALSE(std::filesystem::exists(dir / "b.h5"));
  // An encoder override too large for these images names its layer and the size.
  r = run(base + " --conv-encoder conv8-k33-s1-p0 --out " + (dir / "c.h5"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("conv layer 0 (conv8-k33-s1-p0-relu) on a 3x32x32 input"));
}

TEST_CASE("a flat file's features become images by --image-shape", "[apps][conv][shapes]") {
  TempDir dir;
  make_dataset(dir / "flat.h5", 48, {64});
  const std::string base = kTrain + " --data " + (dir / "flat.h5") + kQuick + " --model conv-denoise";
  Run r = run(base + " --out " + (dir / "a.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("flat.h5: /train/x has no image shape") && Contains("--image-shape"));
  r = run(base + " --image-shape 1,8,8 --out " + (dir / "a.h5"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(io::read_png(dir / "recon.png").width == grid_width(8, 8, 3));
  r = run(base + " --image-shape 1,8,9 --out " + (dir / "b.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("64 features, not the 72 of --image-shape 1x8x9"));
  make_dataset(dir / "img.h5", 48, {1, 8, 8});
  r = run(kTrain + " --data " + (dir / "img.h5") + kQuick + " --image-shape 4,4,4 --out " + (dir / "c.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("the file's images are 1x8x8, not --image-shape 4x4x4"));
  r = run(kGraph + " --model conv-pool --image-shape 3,30,45 --out " + (dir / "g.dot"));
  INFO(r.out);
  CHECK(r.code == 0);
  r = run(kGraph + " --model conv-pool --image-shape 1,4,4 --out " + (dir / "g.dot"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("4x4 images are too small"));
}
