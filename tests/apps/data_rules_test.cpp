// What the apps do with data that leave something unsaid or break a rule: uint8
// rows without a `scale` attribute (read as image bytes, and said so), and CSV
// labels that are not class numbers (refused by ae-import, naming the line).
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <fstream>

#include "support.hpp"

using namespace aeg::test;
using Catch::Matchers::Contains;

namespace {

// /train/x and /test/x as uint8 without a `scale` attribute, as h5py writes them by default.
void write_unscaled_u8(const std::string& path) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(f >= 0);
  for (const char* split : {"/train", "/test"}) {
    hid_t g = H5Gcreate2(f, split, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[2] = {8, 4};
    std::vector<std::uint8_t> v(32);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 8);
    hid_t sp = H5Screate_simple(2, dims, nullptr);
    hid_t d = H5Dcreate2(g, "x", H5T_STD_U8LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(H5Dwrite(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
    H5Dclose(d);
    H5Sclose(sp);
    H5Gclose(g);
  }
  H5Fclose(f);
}

}  // namespace

TEST_CASE("uint8 data without a scale attribute are read as stored / 255, and the apps say so", "[apps][data]") {
  TempDir dir;
  const std::string data = dir / "u8.h5", ckpt = dir / "m.h5";
  write_unscaled_u8(data);
  const std::string note = data + ": /train/x and /test/x are uint8 without a 'scale' attribute: read as stored / 255";
  Run r = run(kTrain + " --data " + data + " --model shallow --code 2 --epochs 1 --batch 4 --threads 1 --out " + ckpt);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains(note));
  r = run(kEval + " --checkpoint " + ckpt + " --data " + data + " --threads 1");
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Contains(note));
  r = run(kTrain + " --data " + data + " --model shallow --code 2 --epochs 1 --batch 4 --threads 1 --quiet --out " +
          (dir / "q.h5"));
  CHECK(r.code == 0);
  CHECK(r.out.find("uint8 without") == std::string::npos);  // --quiet: nothing
}

TEST_CASE("ae-import refuses a CSV label that is not a class number, naming the line", "[apps][data]") {
  TempDir dir;
  std::ofstream(dir / "pm.csv") << "a,b,y\n0.5,0.25,1\n0.75,0.5,-1\n";
  const Run r = run(std::string(AE_IMPORT_EXE) + " --csv " + (dir / "pm.csv") + " --label-column y --out " + (dir / "pm.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains((dir / "pm.csv") + ":3: label column 2 (y) is -1, expected a class number 0, 1, 2, ..."));
  CHECK_FALSE(std::filesystem::exists(dir / "pm.h5"));
}
