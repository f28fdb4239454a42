// A convolutional model through every app: conv blocks from the command line,
// trained, checkpointed, evaluated, encoded, decoded and denoised; and conv models
// that do not fit the data refused before training.
#include <catch2/catch.hpp>

#include <filesystem>

#include "io/arrays.hpp"
#include "io/png.hpp"
#include "tests/apps/support.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

// 8x8 -> conv4 stride 2 -> a 4x4x4 code -> transposed conv back to 8x8.
const std::string kSmallConv =
    " --model conv-strided --conv-encoder conv4-k3-s2-p1-relu --conv-decoder convt4-k3-s2-p1-op1-relu,conv1-k3-s1-p1";

}  // namespace

TEST_CASE("a conv model from the command line trains and runs through every app", "[apps][conv]") {
  TempDir dir;
  const std::string data = dir / "img.h5", ck = dir / "conv.h5";
  make_dataset(data, 400, {1, 8, 8});
  Run r = run(kTrain + " --data " + data + kSmallConv + " --epochs 2 --batch 32 --quiet --out " + ck);
  INFO(r.out);
  REQUIRE(r.code == 0);

  r = run(kEval + " --checkpoint " + ck + " --data " + data + " --json");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("\"bce_px\""));

  r = run(kEncode + " --checkpoint " + ck + " --data " + data + " --out " + (dir / "codes.h5"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(io::read_float_array(dir / "codes.h5", "/codes").shape == Shape{100, 64});  // the 4x4x4 code, flattened

  r = run(kGenerate + " --checkpoint " + ck + " --interpolate 0,5 --steps 4 --bare --data " + data + " --out " + (dir / "i.png"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(io::read_png(dir / "i.png").width == (4 * 8 + 5 * 2) * 3);  // 8 x 8 images are drawn 3 x 3 by default

  r = run(kDenoise + " --checkpoint " + ck + " --data " + data + " --noise masking:0.3 --out " + (dir / "d.png"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("PSNR denoised"));
}

TEST_CASE("conv models that do not fit the data or the options are refused", "[apps][conv]") {
  TempDir dir;
  make_dataset(dir / "img.h5", 200, {1, 8, 8});
  make_dataset(dir / "flat.h5", 200, {64});
  // A decoder given on the command line is checked against the file's 1 x 8 x 8.
  Run r = run(kTrain + " --data " + (dir / "img.h5") + kSmallConv + "-sigmoid,conv3-k3-s1-p1 --epochs 1 --quiet --out " +
              (dir / "a.h5"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("img.h5 (/train/x: 1x8x8 images)") && Contains("the conv decoder ends in 3,8,8, not the image shape 1,8,8"));
  CHECK_FALSE(std::filesystem::exists(dir / "a.h5"));
  r = run(kTrain + " --data " + (dir / "flat.h5") + kSmallConv + " --epochs 1 --quiet --out " + (dir / "b.h5"));
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Contains("flat.h5") && Contains("no image shape"));
  r = run(kTrain + " --data " + (dir / "img.h5") + " --model conv-strided --conv-encoder conv4-k3-z2 --out " + (dir / "c.h5"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("--conv-encoder") && Contains("'z2'"));
  r = run(kGraph + " --model conv-pool --backward --out " + (dir / "g.dot"));
  INFO(r.out);
  CHECK(r.code == 0);
}
