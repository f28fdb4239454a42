// Runs the built ae-import binary (path from CMake: AE_IMPORT_EXE).
#include <sys/wait.h>

#include <cstdlib>
#include <sstream>

#include "helpers.hpp"
#include "io/dataset.hpp"

using namespace iotest;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Run ae_import(const TempDir& d, const std::string& args) {
  const std::string out = d.file("stdout.txt"), err = d.file("stderr.txt");
  const std::string cmd = "cd '" + d.path.string() + "' && '" AE_IMPORT_EXE "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(cmd.c_str());
  Run r;
  REQUIRE(WIFEXITED(status));
  r.code = WEXITSTATUS(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace

TEST_CASE("ae-import --help lists every option with its default", "[io][app]") {
  TempDir d;
  const Run r = ae_import(d, "--help");
  CHECK(r.code == 0);
  for (const char* opt : {"--train-images", "--train-labels", "--test-images", "--test-labels", "--csv",
                          "--label-column", "--delimiter", "--scale", "--test-csv", "--test-fraction", "--seed",
                          "--image-shape", "--out"})
    CHECK_THAT(r.out, Contains(opt));
  CHECK_THAT(r.out, Contains("fashion-mnist.h5"));
  CHECK_THAT(r.out, Contains("(=-1)"));
}

TEST_CASE("ae-import rejects unknown options and bad values with exit code 2", "[io][app][bad]") {
  TempDir d;
  Run r = ae_import(d, "--frobnicate 3");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("ae-import:") && Contains("frobnicate"));
  r = ae_import(d, "--csv a.csv --test-fraction lots");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("test-fraction"));
  r = ae_import(d, "--csv a.csv --test-fraction 1.5");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("--test-fraction"));
  r = ae_import(d, "--csv a.csv --train-images b");
  CHECK(r.code == 2);
  r = ae_import(d, "--test-fraction 0.1");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("need --csv"));
  r = ae_import(d, "--csv a.csv --image-shape 1x2");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("--image-shape"));
  r = ae_import(d, "--csv a.csv --scale zscore");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("--scale") && Contains("none, minmax or standard"));
  r = ae_import(d, "--csv a.csv --delimiter 'e'");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("--delimiter"));
  r = ae_import(d, "--scale standard");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("need --csv"));
  r = ae_import(d, "stray-argument");
  CHECK(r.code == 2);
  CHECK(d.entries().empty());
}

TEST_CASE("ae-import reports failures with exit code 1 and writes nothing", "[io][app][bad]") {
  TempDir d;
  const Run r = ae_import(d, "--train-images missing.idx --out x.h5");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("ae-import: missing.idx: no such file"));
  CHECK(d.entries().empty());
}

TEST_CASE("ae-import converts IDX and CSV files", "[io][app]") {
  TempDir d;
  std::vector<std::uint8_t> px(3 * 2 * 2);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 20);
  write_bytes(d.file("img.idx"), idx_bytes({3, 2, 2}, px));
  write_bytes(d.file("lab.idx"), idx_bytes({3}, {4, 5, 6}));
  Run r = ae_import(d, "--train-images img.idx --train-labels lab.idx --out small.h5");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Contains("wrote small.h5") && Contains("train: 3 x 4 uint8") && Contains("1 x 2 x 2"));
  CHECK(aeg::io::describe(d.file("small.h5")).train.rows == 3);

  write_text(d.file("a.csv"), "y,a,b\n1,0.5,0.25\n2,0,1\n3,1,1\n4,0.5,0.5\n");
  r = ae_import(d, "--csv a.csv --label-column 0 --test-fraction 0.25 -o csv.h5");
  CHECK(r.code == 0);
  const auto info = aeg::io::describe(d.file("csv.h5"));
  CHECK(info.train.rows == 3);
  CHECK(info.test.rows == 1);
  CHECK(info.train.dtype == aeg::io::DType::float32);

  // Images without labels are a valid request: a file with no /train/y.
  r = ae_import(d, "--train-images img.idx --out unlabelled.h5");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK_FALSE(aeg::io::describe(d.file("unlabelled.h5")).train.labels);
  CHECK(aeg::io::describe(d.file("unlabelled.h5")).train.rows == 3);

  // A header name for the label column, another delimiter, and a scaling fitted on the training rows.
  write_text(d.file("b.csv"), "a;y;b\n-1;0;4254\n2;1;0.0008\n5;1;17\n");
  r = ae_import(d, "--csv b.csv --label-column y --delimiter ';' --scale minmax -o b.h5");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Contains("train: 3 x 2 float32, labels") && Contains("scaling: minmax"));
  const auto b = aeg::io::describe(d.file("b.h5"));
  CHECK(b.scaling.offset == std::vector<double>{-1, 0.0008f});
}

TEST_CASE("ae-import stores class names, and refuses names that do not fit the labels", "[io][app][plot]") {
  TempDir d;
  write_text(d.file("a.csv"), "y,a,b\n0,0.5,0.25\n1,0,1\n2,1,1\n1,0.5,0.5\n");
  Run r = ae_import(d, "--csv a.csv --label-column y --class-names 'cat, dog,bird' -o named.h5");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("class names: 0 cat, 1 dog, 2 bird"));
  CHECK(aeg::io::describe(d.file("named.h5")).class_names == std::vector<std::string>{"cat", "dog", "bird"});

  // None given: none stored, and plots fall back to numbers.
  r = ae_import(d, "--csv a.csv --label-column y -o plain.h5");
  REQUIRE(r.code == 0);
  CHECK(aeg::io::describe(d.file("plain.h5")).class_names.empty());

  // Label 2 has no name among two: the file and the row are named, nothing is written.
  r = ae_import(d, "--csv a.csv --label-column y --class-names cat,dog -o short.h5");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("short.h5") && Contains("has label 2") && Contains("2 class names"));
  CHECK_FALSE(std::filesystem::exists(d.file("short.h5")));

  r = ae_import(d, "--csv a.csv --class-names cat,dog -o nolabels.h5");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("--class-names needs --label-column"));
  r = ae_import(d, "--csv a.csv --label-column y --class-names cat,,dog -o empty.h5");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("an empty name"));
}
