// Per-feature scaling: fitted on training rows only, stored in dataset files and
// checkpoints, applied by the reader, and inverted to the float it came from.
#include "io/scaling.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "engine/rng.hpp"
#include "helpers.hpp"
#include "io/batch_reader.hpp"
#include "io/checkpoint.hpp"
#include "io/dataset.hpp"
#include "io/import.hpp"

using namespace iotest;
using aeg::io::FeatureScaling;
using aeg::io::ScaleMethod;

namespace {

// Features of very different sizes, like the breast-cancer file's (0.0008 to 4254).
std::vector<float> mixed_rows(std::int64_t rows, std::uint64_t seed) {
  aeg::Rng rng(seed);
  const double centre[4] = {4254, -3, 0.0008, 17};
  const double spread[4] = {900, 0.5, 0.0003, 40};
  std::vector<float> v;
  for (std::int64_t i = 0; i < rows; ++i)
    for (int j = 0; j < 4; ++j) v.push_back(static_cast<float>(centre[j] + spread[j] * rng.normal()));
  return v;
}

// Float precision for a value that went through (x - offset) / scale and back:
// the scaled float's rounding, times the scale, and the result's own rounding.
bool round_trips(const std::vector<float>& y, const std::vector<float>& x, const FeatureScaling& s) {
  const std::size_t f = s.scale.size();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::abs(static_cast<double>(y[i]) - x[i]) >
        std::numeric_limits<float>::epsilon() * (std::abs(static_cast<double>(x[i])) + 4 * s.scale[i % f])) {
      UNSCOPED_INFO("value " << i << ": " << x[i] << " came back as " << y[i]);
      return false;
    }
  return true;
}

FeatureScaling fit(const std::vector<float>& x, std::int64_t features, ScaleMethod m) {
  aeg::io::ScalingFit f(features);
  for (std::size_t i = 0; i < x.size(); i += static_cast<std::size_t>(features)) f.add(x.data() + i);
  return f.finish(m);
}

}  // namespace

TEST_CASE("scaling fits per feature and round-trips to float precision", "[io][scaling]") {
  const std::vector<float> x = mixed_rows(500, 3);
  SECTION("standard: mean 0, deviation 1 on the rows it was fitted on") {
    const FeatureScaling s = fit(x, 4, ScaleMethod::Standard);
    std::vector<float> y = x;
    s.apply(y.data(), 500);
    for (int j = 0; j < 4; ++j) {
      double m = 0, q = 0;
      for (int i = 0; i < 500; ++i) m += y[static_cast<std::size_t>(i * 4 + j)];
      m /= 500;
      for (int i = 0; i < 500; ++i) q += (y[static_cast<std::size_t>(i * 4 + j)] - m) * (y[static_cast<std::size_t>(i * 4 + j)] - m);
      CHECK(std::abs(m) < 1e-5);
      CHECK(std::sqrt(q / 500) == Approx(1).epsilon(1e-5));
    }
    s.invert(y.data(), 500);
    CHECK(round_trips(y, x, s));
  }
  SECTION("minmax: the fitted rows span [0, 1] exactly") {
    const FeatureScaling s = fit(x, 4, ScaleMethod::MinMax);
    std::vector<float> y = x;
    s.apply(y.data(), 500);
    for (int j = 0; j < 4; ++j) {
      float lo = 1, hi = 0;
      for (int i = 0; i < 500; ++i) {
        lo = std::min(lo, y[static_cast<std::size_t>(i * 4 + j)]);
        hi = std::max(hi, y[static_cast<std::size_t>(i * 4 + j)]);
      }
      CHECK(lo == 0.0f);
      CHECK(hi == Approx(1).epsilon(1e-6));
    }
    s.invert(y.data(), 500);
    CHECK(round_trips(y, x, s));
  }
  SECTION("a constant feature maps to 0 and back") {
    const std::vector<float> c{5, 1, 5, 2, 5, 3};
    for (ScaleMethod m : {ScaleMethod::Standard, ScaleMethod::MinMax}) {
      const FeatureScaling s = fit(c, 2, m);
      CHECK(s.scale[0] == 1);
      std::vector<float> y = c;
      s.apply(y.data(), 3);
      CHECK(y[0] == 0);
      s.invert(y.data(), 3);
      CHECK(y[0] == 5);
      CHECK(round_trips(y, c, s));
    }
  }
}

TEST_CASE("scaling is stored in the dataset file and the reader applies what it is given", "[io][scaling]") {
  TempDir d;
  const std::string path = d.file("s.h5");
  const std::vector<float> train = mixed_rows(40, 1), test = mixed_rows(10, 2);
  const FeatureScaling s = fit(train, 4, ScaleMethod::Standard);
  aeg::io::DatasetFormat fmt;
  fmt.sample_shape = {4};
  fmt.dtype = aeg::io::DType::float32;
  {
    aeg::io::DatasetWriter w(path, fmt);
    w.append("train", std::span<const float>(train));
    w.append("test", std::span<const float>(test));
    // Two features' worth for four.
    CHECK_THROWS_AS(w.set_scaling(FeatureScaling{ScaleMethod::MinMax, {0, 0}, {1, 1}}), aeg::io::DataError);
    w.set_scaling(s);
    w.finish();
  }
  const auto info = aeg::io::describe(path);
  CHECK(info.scaling == s);
  CHECK(aeg::io::load_split(path, "test").x.data == test);  // the values stay as they are
  std::vector<float> expected = test;
  s.apply(expected.data(), 10);
  CHECK(aeg::io::load_split(path, "test", 0, {info.scaling, {}}).x.data == expected);
  aeg::io::BatchReader r(path, "test", 10, {.shuffle = false, .feed = {info.scaling, {}}});
  aeg::io::Batch b;
  REQUIRE(r.next(b));
  CHECK(b.x == expected);
}

TEST_CASE("a bad /scaling group is refused naming the file and what was expected", "[io][scaling][bad]") {
  TempDir d;
  const std::string p = d.file("bad.h5");
  auto make = [&](const std::vector<double>& offset, const std::vector<double>& scale, const char* method) {
    std::filesystem::remove(p);
    RawH5 f(p);
    f.put_f32("/train/x", {2, 3}, std::vector<float>(6, 1));
    f.put("/scaling/offset", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {offset.size()}, offset.data());
    f.put("/scaling/scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {scale.size()}, scale.data());
    if (method) {
      hid_t g = H5Gopen2(f.file, "/scaling", H5P_DEFAULT);
      hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, H5T_VARIABLE);
      H5Tset_cset(t, H5T_CSET_UTF8);  // as h5py writes a str attribute
      hid_t sp = H5Screate(H5S_SCALAR);
      hid_t a = H5Acreate2(g, "method", t, sp, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, t, &method);
      H5Aclose(a);
      H5Sclose(sp);
      H5Tclose(t);
      H5Gclose(g);
    }
  };
  make({0, 0}, {1, 1}, "standard");
  CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
             Contains(p + ": /scaling/offset") && Contains("one per feature (3)"));
  make({0, 0, 0}, {1, 0, 1}, "minmax");
  CHECK_THAT(data_error([&] { aeg::io::describe(p); }), Contains(p + ": /scaling: feature 1") && Contains("positive"));
  make({0, 0, 0}, {1, 1, 1}, "zscore");
  CHECK_THAT(data_error([&] { aeg::io::describe(p); }), Contains(p + ": /scaling") && Contains("'zscore'"));
  make({0, 0, 0}, {1, 1, 1}, "standard");
  CHECK(aeg::io::describe(p).scaling.method == ScaleMethod::Standard);
}

TEST_CASE("CSV import fits the scaling on the training rows only", "[io][scaling][csv]") {
  TempDir d;
  // Training rows span 0..10 and -1..1; the test file's rows lie far outside.
  std::ostringstream tr, te;
  tr << "a,b\n";
  for (int i = 0; i <= 10; ++i) tr << i << "," << (i - 5) / 5.0 << "\n";
  te << "a,b\n100,-50\n200,50\n";
  write_text(d.file("train.csv"), tr.str());
  write_text(d.file("test.csv"), te.str());
  aeg::io::CsvSource src;
  src.train = d.file("train.csv");
  src.test = d.file("test.csv");
  src.scale = ScaleMethod::MinMax;
  const auto r = aeg::io::import_csv(src, d.file("mm.h5"));
  CHECK(r.info.scaling.method == ScaleMethod::MinMax);
  CHECK(r.info.scaling.offset == std::vector<double>{0, -1});
  CHECK(r.info.scaling.scale == std::vector<double>{10, 2});
  const auto test = aeg::io::load_split(d.file("mm.h5"), "test", 0, {r.info.scaling, {}});
  CHECK(test.x.data == std::vector<float>{10, -24.5f, 20, 25.5f});  // outside [0, 1]: not fitted on them

  // With a test fraction, the statistics are those of the rows that went to /train.
  std::ostringstream all;
  for (int i = 0; i < 60; ++i) all << (i % 7) * 3.5 + (i == 13 ? 1000 : 0) << "," << i * i << "\n";
  write_text(d.file("all.csv"), all.str());
  src = {};
  src.train = d.file("all.csv");
  src.test_fraction = 0.25;
  src.seed = 9;
  src.scale = ScaleMethod::Standard;
  const auto r2 = aeg::io::import_csv(src, d.file("st.h5"));
  const auto raw_train = aeg::io::load_split(d.file("st.h5"), "train"), raw_test = aeg::io::load_split(d.file("st.h5"), "test");
  const FeatureScaling on_train = fit(raw_train.x.data, 2, ScaleMethod::Standard);
  std::vector<float> every = raw_train.x.data;
  every.insert(every.end(), raw_test.x.data.begin(), raw_test.x.data.end());
  const FeatureScaling on_all = fit(every, 2, ScaleMethod::Standard);
  for (std::size_t j = 0; j < 2; ++j) {
    CHECK(r2.info.scaling.offset[j] == Approx(on_train.offset[j]).epsilon(1e-12));
    CHECK(r2.info.scaling.scale[j] == Approx(on_train.scale[j]).epsilon(1e-12));
    CHECK(std::abs(r2.info.scaling.offset[j] - on_all.offset[j]) > 1e-3 * on_all.scale[j]);
  }
}

TEST_CASE("checkpoints keep the scaling, and format 1 checkpoints load without one", "[io][scaling][checkpoint]") {
  TempDir d;
  aeg::io::Checkpoint ck;
  ck.spec = "recipe = linear\n";
  ck.params.emplace_back("enc0/W", aeg::Tensor<float>({2, 3}, 0.5f));
  ck.optimizer = "adam";
  ck.rng_state = "1";
  ck.scaling = {ScaleMethod::Standard, {1.5, -2, 4254}, {0.25, 3, 900}};
  aeg::io::save_checkpoint(d.file("c.h5"), ck);
  CHECK(aeg::io::load_checkpoint(d.file("c.h5")).scaling == ck.scaling);

  ck.scaling = {};
  aeg::io::save_checkpoint(d.file("old.h5"), ck);
  {
    hid_t f = H5Fopen(d.file("old.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    const long long v = 1;
    H5Awrite(a, H5T_NATIVE_LLONG, &v);
    H5Aclose(a);
    H5Fclose(f);
  }
  CHECK(aeg::io::load_checkpoint(d.file("old.h5")).scaling.empty());
}
