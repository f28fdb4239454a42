#include "io/import.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "helpers.hpp"
#include "io/batch_reader.hpp"

using namespace iotest;
using aeg::io::DType;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n, int mul) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * mul) % 256);
  return v;
}

}  // namespace

TEST_CASE("IDX import writes images as rows with image shape and labels", "[io][import]") {
  TempDir d;
  const auto tr = pattern(5 * 3 * 2, 7), te = pattern(2 * 3 * 2, 5);
  write_gz(d.file("tr-img.gz"), idx_bytes({5, 3, 2}, tr));
  write_bytes(d.file("tr-lab"), idx_bytes({5}, {0, 1, 2, 3, 4}));
  write_bytes(d.file("te-img"), idx_bytes({2, 3, 2}, te));
  write_gz(d.file("te-lab.gz"), idx_bytes({2}, {9, 8}));
  const auto out = d.file("out.h5");
  const auto r = aeg::io::import_idx({d.file("tr-img.gz"), d.file("tr-lab"), d.file("te-img"), d.file("te-lab.gz")}, out);
  CHECK(r.file_bytes == std::filesystem::file_size(out));
  CHECK(r.info.train.rows == 5);
  CHECK(r.info.test.rows == 2);
  CHECK(r.info.features == 6);
  CHECK(r.info.image_shape == aeg::Shape{1, 3, 2});
  CHECK(r.info.train.dtype == DType::uint8);
  CHECK(r.info.train.scale == 255);
  const auto train = aeg::io::load_split(out, "train"), test = aeg::io::load_split(out, "test");
  for (std::size_t i = 0; i < tr.size(); ++i) REQUIRE(train.x.data[i] == static_cast<float>(tr[i] / 255.0));
  CHECK(train.y == std::vector<std::int32_t>{0, 1, 2, 3, 4});
  CHECK(test.y == std::vector<std::int32_t>{9, 8});
  CHECK(d.entries().count("out.h5") == 1);
  CHECK(d.entries().size() == 5);  // four inputs and the output: no temp left
}

TEST_CASE("a failed IDX import leaves nothing behind and keeps the old file", "[io][import][bad]") {
  TempDir d;
  write_bytes(d.file("img"), idx_bytes({4, 2, 2}, pattern(16, 3)));
  write_bytes(d.file("lab"), idx_bytes({3}, {1, 2, 3}));  // one label short
  const auto out = d.file("out.h5");
  const auto msg = data_error([&] { aeg::io::import_idx({d.file("img"), d.file("lab"), "", ""}, out); });
  CHECK_THAT(msg, Contains(d.file("lab")) && Contains("3 labels, expected 4"));
  CHECK(d.entries() == std::set<std::string>{"img", "lab"});

  write_bytes(d.file("lab4"), idx_bytes({4}, {1, 2, 3, 4}));
  aeg::io::import_idx({d.file("img"), d.file("lab4"), "", ""}, out);
  write_bytes(d.file("bad"), idx_bytes({4, 2, 2}, pattern(10, 3)));  // truncated
  data_error([&] { aeg::io::import_idx({d.file("bad"), "", "", ""}, out); });
  CHECK(d.entries() == std::set<std::string>{"img", "lab", "lab4", "bad", "out.h5"});
  CHECK(aeg::io::describe(out).train.rows == 4);
}

TEST_CASE("CSV import: header, label column, uint8 storage, test fraction", "[io][import][csv]") {
  TempDir d;
  const auto csv = d.file("data.csv");
  std::ostringstream s;
  s << "label,p0,p1,p2\n";
  for (int i = 0; i < 50; ++i) s << i % 10 << "," << i << ", " << (i * 3) % 256 << "," << 255 - i << "\r\n";
  s << "\n";
  write_text(csv, s.str());
  aeg::io::CsvSource src;
  src.train = csv;
  src.label_column = 0;
  src.test_fraction = 0.2;
  src.seed = 5;
  const auto out = d.file("csv.h5");
  const auto r = aeg::io::import_csv(src, out);
  CHECK(r.info.train.rows == 40);
  CHECK(r.info.test.rows == 10);
  CHECK(r.info.features == 3);
  CHECK(r.info.train.dtype == DType::uint8);
  CHECK(r.info.train.scale == 1);  // integers 0..255 stored as bytes, read as they are
  CHECK(r.info.train.labels);
  CHECK(r.info.scaling.empty());
  // Every CSV row lands in exactly one split, in file order, with its own label.
  const auto train = aeg::io::load_split(out, "train"), test = aeg::io::load_split(out, "test");
  std::vector<int> rows;
  for (const auto* sp : {&train, &test}) {
    int last = -1;
    for (std::size_t j = 0; j < sp->y.size(); ++j) {
      const int i = static_cast<int>(sp->x.data[j * 3]);
      CHECK(i > last);
      last = i;
      CHECK(sp->y[j] == i % 10);
      CHECK(sp->x.data[j * 3 + 2] == static_cast<float>(255 - i));
      rows.push_back(i);
    }
  }
  std::sort(rows.begin(), rows.end());
  std::vector<int> all(50);
  std::iota(all.begin(), all.end(), 0);
  CHECK(rows == all);
  // The same seed picks the same test rows.
  const auto out2 = d.file("csv2.h5");
  aeg::io::import_csv(src, out2);
  CHECK(aeg::io::load_split(out2, "test").y == test.y);
}

TEST_CASE("CSV import: float data kept as they are, second CSV", "[io][import][csv]") {
  TempDir d;
  write_text(d.file("a.csv"), "0.5,0.25\n1,0\n0.125,0.75\n");
  write_text(d.file("b.csv"), "0,1\n");
  aeg::io::CsvSource src;
  src.train = d.file("a.csv");
  src.test = d.file("b.csv");
  const auto r = aeg::io::import_csv(src, d.file("f.h5"));
  CHECK(r.info.train.dtype == DType::float32);
  CHECK(r.info.train.scale == 1);
  CHECK(r.info.train.rows == 3);
  CHECK(r.info.test.rows == 1);
  CHECK_FALSE(r.info.train.labels);
  CHECK(aeg::io::load_split(d.file("f.h5"), "train").x.data ==
        std::vector<float>{0.5f, 0.25f, 1, 0, 0.125f, 0.75f});

  // Values of any range and sign are not divided by anything (once they were
  // divided by the file's largest value, silently).
  write_text(d.file("big.csv"), "3.5,4254\n-0.5,0.0008\n");
  src = {};
  src.train = d.file("big.csv");
  src.image_shape = {1, 1, 2};
  const auto r2 = aeg::io::import_csv(src, d.file("g.h5"));
  CHECK(r2.info.train.dtype == DType::float32);
  CHECK(r2.info.train.scale == 1);
  CHECK(r2.info.image_shape == aeg::Shape{1, 1, 2});
  CHECK(aeg::io::load_split(d.file("g.h5"), "train").x.data == std::vector<float>{3.5f, 4254, -0.5f, 0.0008f});
}

TEST_CASE("bad CSV input fails naming file and line and leaves nothing behind", "[io][import][csv][bad]") {
  TempDir d;
  aeg::io::CsvSource src;
  src.train = d.file("bad.csv");
  const auto out = d.file("out.h5");
  SECTION("non-numeric field after the header") {
    write_text(src.train, "a,b\n1,2\n3,x\n");
    CHECK_THAT(data_error([&] { aeg::io::import_csv(src, out); }),
               Contains(src.train + ":3") && Contains("'x'") && Contains("expected a number"));
  }
  SECTION("ragged rows") {
    write_text(src.train, "1,2\n3,4,5\n");
    CHECK_THAT(data_error([&] { aeg::io::import_csv(src, out); }), Contains(src.train + ":2") && Contains("3 columns"));
  }
  SECTION("non-integer label") {
    write_text(src.train, "1,2\n3.5,4\n");
    src.label_column = 0;
    CHECK_THAT(data_error([&] { aeg::io::import_csv(src, out); }), Contains(src.train + ":2") && Contains("label"));
  }
  SECTION("missing file") {
    CHECK_THAT(data_error([&] { aeg::io::import_csv(src, out); }), Contains(src.train) && Contains("no such file"));
  }
  std::set<std::string> left = d.entries();
  left.erase("bad.csv");
  CHECK(left.empty());
}

// The real data set from the Debian package dataset-fashion-mnist.
TEST_CASE("Fashion-MNIST import", "[io][import][fashion]") {
  const auto files = aeg::io::fashion_mnist_files();
  if (!std::filesystem::exists(files.train_images)) {
    WARN("Fashion-MNIST not installed at " << files.train_images << ": skipped");
    return;
  }
  TempDir d;
  const auto out = d.file("fashion.h5");
  const auto r = aeg::io::import_fashion_mnist(out);
  CHECK(r.info.train.rows == 60000);
  CHECK(r.info.test.rows == 10000);
  CHECK(r.info.features == 784);
  CHECK(r.info.image_shape == aeg::Shape{1, 28, 28});
  CHECK(r.info.train.labels);
  CHECK(r.info.test.labels);
  CHECK_THAT(r.info.source, Contains("Fashion-MNIST"));
  REQUIRE(r.info.class_names.size() == 10);  // stored at import, for legends
  CHECK(r.info.class_names[0] == "T-shirt/top");
  CHECK(r.info.class_names[9] == "Ankle boot");
  CHECK(r.file_bytes < 60u << 20);  // compressed: 55 MB of pixels on disk in less

  // The first training image's pixel sum, straight from the gzipped IDX file.
  gzFile gz = gzopen(files.train_images.c_str(), "rb");
  REQUIRE(gz != nullptr);
  unsigned char header[16], img[784];
  REQUIRE(gzread(gz, header, 16) == 16);
  REQUIRE(gzread(gz, img, 784) == 784);
  gzclose(gz);
  CHECK(header[3] == 3);
  long expected = 0;
  for (unsigned char p : img) expected += p;

  const auto first = aeg::io::load_split(out, "train", 1);
  REQUIRE(first.x.shape == aeg::Shape{1, 784});
  long sum = 0;
  for (float v : first.x.data) sum += std::lround(v * 255.0f);
  CHECK(sum == expected);

  // Labels: ten classes, 1000 test images each.
  const auto test = aeg::io::load_split(out, "test");
  REQUIRE(test.y.size() == 10000);
  std::vector<int> count(10);
  for (auto y : test.y) {
    REQUIRE(y >= 0);
    REQUIRE(y <= 9);
    ++count[static_cast<std::size_t>(y)];
  }
  CHECK(count == std::vector<int>(10, 1000));
  CHECK(*std::min_element(test.x.data.begin(), test.x.data.end()) == 0.0f);
  CHECK(*std::max_element(test.x.data.begin(), test.x.data.end()) == 1.0f);
}
