#include "io/dataset.hpp"

#include <cmath>

#include "helpers.hpp"
#include "io/batch_reader.hpp"

using namespace iotest;
using aeg::io::DataError;
using aeg::io::DatasetFormat;
using aeg::io::DType;

namespace {

aeg::io::SplitData u8_split(std::int64_t rows, std::int64_t features, int offset) {
  aeg::io::SplitData s;
  for (std::int64_t i = 0; i < rows * features; ++i) s.u8.push_back(static_cast<std::uint8_t>((i * 7 + offset) % 256));
  for (std::int64_t i = 0; i < rows; ++i) s.labels.push_back(static_cast<std::int32_t>((i + offset) % 10));
  return s;
}

}  // namespace

TEST_CASE("dataset round trip uint8 with labels and image shape", "[io][dataset]") {
  TempDir d;
  const std::string path = d.file("data.h5");
  DatasetFormat fmt;
  fmt.sample_shape = {12};
  fmt.image_shape = {1, 3, 4};
  fmt.labels = true;
  fmt.labels_uint8 = true;
  fmt.source = "unit test";
  fmt.chunk_rows = 5;
  const auto train = u8_split(23, 12, 0), test = u8_split(9, 12, 3);
  aeg::io::write_dataset(path, fmt, train, &test);
  CHECK(d.entries() == std::set<std::string>{"data.h5"});

  const auto info = aeg::io::describe(path);
  CHECK(info.features == 12);
  CHECK(info.sample_shape == aeg::Shape{12});
  CHECK(info.image_shape == aeg::Shape{1, 3, 4});
  CHECK(info.source == "unit test");
  CHECK(info.train.present);
  CHECK(info.train.rows == 23);
  CHECK(info.train.dtype == DType::uint8);
  CHECK(info.train.scale == 255);
  CHECK(info.train.labels);
  CHECK(info.test.rows == 9);

  for (const auto* s : {&train, &test}) {
    const auto got = aeg::io::load_split(path, s == &train ? "train" : "test");
    REQUIRE(got.x.shape == aeg::Shape{static_cast<std::int64_t>(s->labels.size()), 12});
    for (std::size_t i = 0; i < s->u8.size(); ++i) REQUIRE(got.x.data[i] == static_cast<float>(s->u8[i] / 255.0));
    CHECK(got.y == s->labels);
  }
}

TEST_CASE("dataset round trip float32 rank 4 without labels or test split", "[io][dataset]") {
  TempDir d;
  const std::string path = d.file("f.h5");
  DatasetFormat fmt;
  fmt.sample_shape = {2, 2, 3};
  fmt.dtype = DType::float32;
  fmt.scale = 1;
  aeg::io::SplitData train;
  for (int i = 0; i < 5 * 12; ++i) train.f32.push_back(static_cast<float>(i) / 60.0f);
  aeg::io::write_dataset(path, fmt, train);
  const auto info = aeg::io::describe(path);
  CHECK(info.sample_shape == aeg::Shape{2, 2, 3});
  CHECK(info.image_shape == aeg::Shape{2, 2, 3});
  CHECK(info.features == 12);
  CHECK(info.train.dtype == DType::float32);
  CHECK(info.train.scale == 1);
  CHECK_FALSE(info.train.labels);
  CHECK_FALSE(info.test.present);
  CHECK(aeg::io::load_split(path, "train").x.data == train.f32);
  CHECK_THAT(data_error([&] { aeg::io::load_split(path, "test"); }), Contains(path) && Contains("/test/x"));
}

TEST_CASE("incremental writer appends row blocks to both splits in any order", "[io][dataset]") {
  TempDir d;
  const std::string path = d.file("inc.h5");
  DatasetFormat fmt;
  fmt.sample_shape = {3};
  fmt.dtype = DType::float32;
  fmt.scale = 2;  // stored values in [0, 2], read as stored / 2
  fmt.labels = true;
  fmt.chunk_rows = 4;
  std::vector<float> all_train, all_test;
  std::vector<std::int32_t> y_train, y_test;
  {
    aeg::io::DatasetWriter w(path, fmt);
    int v = 0;
    for (int block : {1, 5, 0, 7, 2}) {
      std::vector<float> rows;
      std::vector<std::int32_t> y;
      for (int r = 0; r < block; ++r, ++v) {
        for (int f = 0; f < 3; ++f) rows.push_back(static_cast<float>((v * 3 + f) % 9) / 4.0f);
        y.push_back(v);
      }
      const bool to_test = block == 7;
      w.append(to_test ? "test" : "train", std::span<const float>(rows), y);
      auto& xs = to_test ? all_test : all_train;
      auto& ys = to_test ? y_test : y_train;
      xs.insert(xs.end(), rows.begin(), rows.end());
      ys.insert(ys.end(), y.begin(), y.end());
    }
    CHECK(w.rows("train") == 8);
    CHECK(w.rows("test") == 7);
    CHECK_FALSE(std::filesystem::exists(path));  // only the temp exists until finish()
    w.finish();
  }
  CHECK(d.entries() == std::set<std::string>{"inc.h5"});
  const auto train = aeg::io::load_split(path, "train");
  REQUIRE(train.x.data.size() == all_train.size());
  for (std::size_t i = 0; i < all_train.size(); ++i) CHECK(train.x.data[i] == all_train[i] / 2.0f);
  CHECK(train.y == y_train);
  CHECK(aeg::io::load_split(path, "test").y == y_test);
  CHECK(aeg::io::describe(path).train.scale == 2);
}

TEST_CASE("an unfinished or failing writer leaves nothing behind", "[io][dataset][bad]") {
  TempDir d;
  const std::string path = d.file("w.h5");
  DatasetFormat fmt;
  fmt.sample_shape = {2};
  fmt.dtype = DType::float32;
  {
    aeg::io::DatasetWriter w(path, fmt);
    const std::vector<float> rows{0.1f, 0.2f};
    w.append("train", std::span<const float>(rows));
    CHECK(d.entries().size() == 1);  // the temp file
  }
  CHECK(d.entries().empty());

  // A NaN is refused when written, naming its row and column.
  {
    aeg::io::DatasetWriter w(path, fmt);
    const std::vector<float> rows{0.1f, NAN};
    const auto msg = data_error([&] { w.append("train", std::span<const float>(rows)); });
    CHECK_THAT(msg, Contains(path) && Contains("/train/x row 0 column 1") && Contains("finite"));
  }
  CHECK(d.entries().empty());

  // An existing file stays as it was when a rewrite fails.
  aeg::io::SplitData ok;
  ok.f32 = {0.5f, 0.5f};
  aeg::io::write_dataset(path, fmt, ok);
  aeg::io::SplitData bad;
  bad.f32 = {0.5f, INFINITY};
  data_error([&] { aeg::io::write_dataset(path, fmt, bad); });
  CHECK(d.entries() == std::set<std::string>{"w.h5"});
  CHECK(aeg::io::load_split(path, "train").x.data == ok.f32);
}

TEST_CASE("describe rejects bad dataset files with clear messages", "[io][dataset][bad]") {
  TempDir d;

  SECTION("missing file") {
    const auto p = d.file("nope.h5");
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }), Contains(p) && Contains("no such file"));
  }
  SECTION("not an HDF5 file") {
    const auto p = d.file("text.h5");
    write_text(p, "just some text, not HDF5\n");
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }), Contains(p) && Contains("not an HDF5 file"));
  }
  SECTION("missing /train/x") {
    const auto p = d.file("notrain.h5");
    {
      RawH5 f(p);
      f.put_u8("/test/x", {2, 3}, std::vector<std::uint8_t>(6, 1));
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
               Contains(p) && Contains("/train/x is missing") && Contains("N x features"));
  }
  SECTION("wrong rank") {
    const auto p = d.file("rank.h5");
    {
      RawH5 f(p);
      f.put_u8("/train/x", {6}, std::vector<std::uint8_t>(6, 1));
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
               Contains(p + ": /train/x has rank 1, expected 2 (N x features) or 4 (N x C x H x W)"));
  }
  SECTION("unsupported dtype") {
    const auto p = d.file("dtype.h5");
    {
      RawH5 f(p);
      std::vector<std::int16_t> v(6, 1);
      f.put("/train/x", H5T_STD_I16LE, H5T_NATIVE_INT16, {2, 3}, v.data());
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
               Contains(p) && Contains("/train/x has type int16, expected uint8 or float32"));
  }
  SECTION("label count mismatch") {
    const auto p = d.file("labels.h5");
    {
      RawH5 f(p);
      f.put_u8("/train/x", {3, 2}, std::vector<std::uint8_t>(6, 1));
      std::vector<std::int32_t> y{1, 2};
      f.put("/train/y", H5T_STD_I32LE, H5T_NATIVE_INT32, {2}, y.data());
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
               Contains(p) && Contains("/train/y has 2 labels, expected one per row of /train/x (3)"));
  }
  SECTION("test features differ from train") {
    const auto p = d.file("feat.h5");
    {
      RawH5 f(p);
      f.put_u8("/train/x", {3, 2}, std::vector<std::uint8_t>(6, 1));
      f.put_u8("/test/x", {2, 3}, std::vector<std::uint8_t>(6, 1));
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }), Contains(p) && Contains("/test/x"));
  }
  SECTION("declared sizes the file does not hold") {
    // 10^9 rows of 784 declared in chunks, only the first chunk written: a few KB on disk.
    const auto p = d.file("declared.h5");
    {
      RawH5 f(p);
      f.declare_u8("/train/x", {1000000000, 784}, {256, 784}, 256);
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
               Contains(p + ": /train/x declares shape [1000000000, 784] in 3906250 chunks, but only 1 were ever written"));
    // The same unchunked: HDF5 allocates contiguous storage on the first write, so declare without writing.
    const auto q = d.file("declared2.h5");
    {
      RawH5 f(q);
      f.declare_u8("/train/x", {100000, 784}, {}, 0);
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(q); }), Contains(q + ": /train/x declares shape [100000, 784]"));
    // Fully written files pass.
    const auto ok = d.file("whole.h5");
    {
      RawH5 f(ok);
      f.declare_u8("/train/x", {600, 16}, {256, 16}, 600);
    }
    CHECK(aeg::io::describe(ok).train.rows == 600);
  }
  SECTION("bad scale attribute") {
    const auto p = d.file("scale.h5");
    {
      RawH5 f(p);
      f.put_u8("/train/x", {3, 2}, std::vector<std::uint8_t>(6, 1));
      f.attr_double("/train/x", "scale", -1);
    }
    CHECK_THAT(data_error([&] { aeg::io::describe(p); }), Contains(p) && Contains("/train/x") && Contains("scale"));
  }
}

TEST_CASE("any finite value is valid data, and NaN and infinities are refused naming row and column", "[io][dataset][bad]") {
  TempDir d;
  SECTION("NaN in float data") {
    const auto p = d.file("nan.h5");
    std::vector<float> v(40, 0.5f);
    v[7 * 4 + 2] = NAN;
    {
      RawH5 f(p);
      f.put_f32("/train/x", {10, 4}, v);
    }
    const auto msg = data_error([&] { aeg::io::load_split(p, "train"); });
    CHECK_THAT(msg, Contains(p) && Contains("/train/x row 7 column 2 has value nan, expected a finite number"));
    aeg::io::BatchReader r(p, "train", 4, {.seed = 1});
    aeg::io::Batch b;
    const auto msg2 = data_error([&] {
      while (r.next(b)) {
      }
    });
    CHECK_THAT(msg2, Contains(p) && Contains("/train/x row 7 column 2"));
  }
  SECTION("infinity in float data") {
    const auto p = d.file("inf.h5");
    std::vector<float> v(40, -3.0f);
    v[4 * 4 + 3] = -INFINITY;
    {
      RawH5 f(p);
      f.put_f32("/test/x", {10, 4}, std::vector<float>(40, 1.0f));
      f.put_f32("/train/x", {10, 4}, v);
    }
    CHECK_THAT(data_error([&] { aeg::io::load_split(p, "train"); }),
               Contains(p) && Contains("/train/x row 4 column 3 has value -inf, expected a finite number"));
  }
  SECTION("values outside [0, 1] are data like any other, until a model needs [0, 1]") {
    const auto p = d.file("big.h5");
    std::vector<float> v(40, 0.5f);
    v[3 * 4] = 1.5f;
    v[9 * 4 + 1] = -4254.0f;
    {
      RawH5 f(p);
      f.put_f32("/train/x", {10, 4}, v);
    }
    CHECK(aeg::io::load_split(p, "train").x.data == v);
    const aeg::io::FeedRules bce{{}, {0, 1, "BCE needs targets in [0, 1]", "use --loss mse --output identity, or rescale"}};
    CHECK_THAT(data_error([&] { aeg::io::load_split(p, "train", 0, bce); }),
               Contains(p + ": BCE needs targets in [0, 1]; this file has 1.5 at /train/x row 3 column 0: "
                            "use --loss mse --output identity, or rescale"));
    aeg::io::BatchReader r(p, "train", 5, {.shuffle = false, .feed = {{}, {-5000, 1.25, "", ""}}});
    aeg::io::Batch b;
    CHECK_THAT(data_error([&] {
                 while (r.next(b)) {
                 }
               }),
               Contains(p + ": /train/x row 3 column 0 has value 1.5, expected a number in [-5000, 1.25]"));
  }
  SECTION("uint8 values above their scale are values above 1") {
    const auto p = d.file("u8.h5");
    std::vector<std::uint8_t> v(40, 50);
    v[5 * 4 + 1] = 200;
    {
      RawH5 f(p);
      f.put_u8("/train/x", {10, 4}, v);
      f.attr_double("/train/x", "scale", 100);
    }
    CHECK(aeg::io::describe(p).train.scale == 100);
    CHECK(aeg::io::load_split(p, "train").x.data[5 * 4 + 1] == 2.0f);
    const aeg::io::FeedRules unit{{}, {0, 1, "a sigmoid output needs targets in [0, 1]", ""}};
    CHECK_THAT(data_error([&] { aeg::io::load_split(p, "train", 0, unit); }),
               Contains(p + ": a sigmoid output needs targets in [0, 1]; this file has 2 at /train/x row 5 column 1"));
  }
}

TEST_CASE("uint8 data without a scale attribute read as image bytes, and the apps told so", "[io][dataset]") {
  TempDir d;
  const auto p = d.file("noscale.h5");
  {
    RawH5 f(p);
    f.put_u8("/train/x", {2, 2}, {0, 51, 255, 102});
    f.put_u8("/test/x", {1, 2}, {255, 0});
    f.attr_double("/test/x", "scale", 1);
  }
  const auto info = aeg::io::describe(p);
  CHECK(info.train.scale == 255);
  CHECK_FALSE(info.train.scale_given);
  CHECK(info.test.scale_given);
  CHECK(aeg::io::load_split(p, "train").x.data == std::vector<float>{0, 0.2f, 1, 0.4f});
  CHECK(aeg::io::load_split(p, "test").x.data == std::vector<float>{255, 0});
  CHECK(aeg::io::assumed_scale_note(info) ==
        p + ": /train/x is uint8 without a 'scale' attribute: read as stored / 255 (image bytes, values in [0, 1]); give "
            "the dataset a 'scale' attribute (e.g. 1 for counts) to say otherwise");
  const auto both = d.file("noscale2.h5");
  {
    RawH5 f(both);
    f.put_u8("/train/x", {1, 2}, {1, 2});
    f.put_u8("/test/x", {1, 2}, {3, 4});
  }
  CHECK_THAT(aeg::io::assumed_scale_note(aeg::io::describe(both)), Contains(both + ": /train/x and /test/x are uint8 without"));
  // Float data and the library's own files say everything.
  const auto f32 = d.file("f32.h5");
  {
    RawH5 f(f32);
    f.put_f32("/train/x", {1, 2}, {0.5f, 2});
  }
  CHECK(aeg::io::assumed_scale_note(aeg::io::describe(f32)).empty());
}

TEST_CASE("declared sizes near 2^63 are refused without overflowing", "[io][dataset][bad][fuzz]") {
  // Found by fuzz_dataset: rows near 2^63 in chunks of 16384 overflowed counting the chunks.
  TempDir d;
  const auto p = d.file("near63.h5");
  {
    RawH5 f(p);
    f.declare_u8("/train/x", {9223372036854775769ull, 1}, {16384, 1}, 0);
  }
  CHECK_THAT(data_error([&] { aeg::io::describe(p); }),
             Contains(p + ": /train/x declares shape [9223372036854775769, 1] in 562949953421312 chunks, but only 0 were ever written"));
  const auto q = d.file("bytes63.h5");
  {
    RawH5 f(q);
    std::vector<float> one(1, 0.5f);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const hsize_t chunk[2] = {1, 1}, dims[2] = {4611686018427387904ull, 1};  // 2^62 rows of 4 bytes: 2^64 bytes
    H5Pset_chunk(dcpl, 2, chunk);
    hid_t sp = H5Screate_simple(2, dims, nullptr);
    hid_t x = H5Dcreate2(f.file, "/train/x", H5T_IEEE_F32LE, sp, lcpl, dcpl, H5P_DEFAULT);
    REQUIRE(x >= 0);
    H5Dclose(x);
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
  }
  CHECK_THAT(data_error([&] { aeg::io::describe(q); }), Contains(q + ": /train/x declares more bytes than any file can hold"));
}
