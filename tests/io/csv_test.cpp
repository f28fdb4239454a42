// The shapes real CSV files come in: a header naming the columns, a label
// column anywhere (by number or name), another delimiter, gzip; and every bad
// input named by file, line and column, with nothing left behind.
#include "io/csv.hpp"

#include <sstream>

#include "helpers.hpp"
#include "io/batch_reader.hpp"
#include "io/import.hpp"

using namespace iotest;
using aeg::io::DType;

namespace {

// "x0,x1,label,x2": the label in the middle, features of any sign and size.
std::string middle_label_csv(char sep = ',') {
  std::ostringstream s;
  s << "radius" << sep << "area" << sep << "label" << sep << "smoothness\n";
  s << "17.99" << sep << "1001" << sep << "0" << sep << "-0.1184\n";
  s << "20.57" << sep << "1326" << sep << "1" << sep << "0.08474\n";
  s << "\n";
  s << "11.42" << sep << "386.1" << sep << "1" << sep << "-0.1425\r\n";
  return s.str();
}

void check_middle_label(const std::string& h5) {
  const auto info = aeg::io::describe(h5);
  CHECK(info.features == 3);
  CHECK(info.train.rows == 3);
  CHECK(info.train.dtype == DType::float32);
  const auto x = aeg::io::load_split(h5, "train");
  CHECK(x.x.data == std::vector<float>{17.99f, 1001, -0.1184f, 20.57f, 1326, 0.08474f, 11.42f, 386.1f, -0.1425f});
  CHECK(x.y == std::vector<std::int32_t>{0, 1, 1});
}

}  // namespace

TEST_CASE("CSV import: a header and a label column in the middle, by number or by name", "[io][csv]") {
  TempDir d;
  write_text(d.file("m.csv"), middle_label_csv());
  aeg::io::CsvSource src;
  src.train = d.file("m.csv");
  src.label_column = 2;
  aeg::io::import_csv(src, d.file("by-number.h5"));
  check_middle_label(d.file("by-number.h5"));
  src.label_column = -1;
  src.label_name = "label";
  aeg::io::import_csv(src, d.file("by-name.h5"));
  check_middle_label(d.file("by-name.h5"));
}

TEST_CASE("CSV import: other delimiters and gzip", "[io][csv]") {
  TempDir d;
  aeg::io::CsvSource src;
  src.label_column = 2;
  SECTION("semicolon") {
    write_text(d.file("s.csv"), middle_label_csv(';'));
    src.train = d.file("s.csv");
    src.delimiter = ';';
  }
  SECTION("tab") {
    write_text(d.file("t.tsv"), middle_label_csv('\t'));
    src.train = d.file("t.tsv");
    src.delimiter = aeg::io::parse_delimiter("tab");
  }
  SECTION("runs of spaces") {
    std::string text = middle_label_csv(' ');
    std::string wide;
    for (char c : text) wide += c == ' ' ? std::string("   ") : std::string(1, c);
    write_text(d.file("w.txt"), wide);
    src.train = d.file("w.txt");
    src.delimiter = aeg::io::parse_delimiter("space");
  }
  SECTION(".csv.gz") {
    const std::string text = middle_label_csv();
    write_gz(d.file("m.csv.gz"), std::vector<std::uint8_t>(text.begin(), text.end()));
    src.train = d.file("m.csv.gz");
  }
  aeg::io::import_csv(src, d.file("out.h5"));
  check_middle_label(d.file("out.h5"));
}

TEST_CASE("the sklearn breast-cancer shape: a first line of counts and names, the label last", "[io][csv]") {
  TempDir d;
  // Its first line is "569,30,malignant,benign": not as wide as the rows, and skipped.
  write_text(d.file("bc.csv"), "3,2,malignant,benign\n17.99,10.38,0\n13.54,14.36,1\n9.5,4254,1\n");
  aeg::io::CsvSource src;
  src.train = d.file("bc.csv");
  src.label_column = 2;
  const auto r = aeg::io::import_csv(src, d.file("bc.h5"));
  CHECK(r.info.features == 2);
  CHECK(aeg::io::load_split(d.file("bc.h5"), "train").x.data == std::vector<float>{17.99f, 10.38f, 13.54f, 14.36f, 9.5f, 4254});
  src.label_column = -1;
  src.label_name = "benign";  // names in a line that is not as wide as the rows say nothing about columns
  CHECK_THAT(data_error([&] { aeg::io::import_csv(src, d.file("bc2.h5")); }),
             Contains(src.train) && Contains("header has 4 cells but the rows have 3 columns"));
}

TEST_CASE("bad CSV input is named by file, line and column, and nothing is written", "[io][csv][bad]") {
  TempDir d;
  aeg::io::CsvSource src;
  src.train = d.file("bad.csv");
  const auto out = d.file("out.h5");
  std::string expected;
  SECTION("a non-numeric cell, named by its header") {
    write_text(src.train, "radius,area\n1,2\n3,x\n");
    expected = src.train + ":3: column 1 (area) is 'x', expected a number";
  }
  SECTION("an empty cell") {
    write_text(src.train, "1,2\n3,\n");
    expected = src.train + ":2: column 1 is '', expected a number";
  }
  SECTION("ragged rows") {
    write_text(src.train, "a,b\n1,2\n\n3,4,5\n");
    expected = src.train + ":4: 3 columns, expected 2 like the first data line";
  }
  SECTION("NaN and infinities") {
    write_text(src.train, "1,2\n3,nan\n");
    expected = src.train + ":2: column 1 is nan, expected a finite number";
    SECTION("inf") {
      write_text(src.train, "1,2\n-inf,4\n");
      expected = src.train + ":2: column 0 is -inf, expected a finite number";
    }
  }
  SECTION("an empty file") {
    write_text(src.train, "");
    expected = src.train + ": no data lines, expected one sample per line";
  }
  SECTION("a header and nothing else") {
    write_text(src.train, "a,b,c\n\n");
    expected = src.train + ": no data lines, expected one sample per line";
  }
  SECTION("a label column out of range") {
    write_text(src.train, "1,2,3\n4,5,6\n");
    src.label_column = 3;
    expected = src.train + ": label column 3 is out of range: the file has 3 columns (0-2)";
  }
  SECTION("a label column name not in the header") {
    write_text(src.train, "a,b,c\n4,5,6\n");
    src.label_name = "target";
    expected = src.train + ": no column named 'target' in the header (a, b, c)";
  }
  SECTION("a label column name without a header") {
    write_text(src.train, "4,5,6\n");
    src.label_name = "target";
    expected = src.train + ": label column 'target' is named, but the file has no header line";
  }
  SECTION("a label that is not an integer") {
    write_text(src.train, "y,a\n1,2\n3.5,4\n");
    src.label_column = 0;
    expected = src.train + ":3: label column 0 (y) is 3.5";
  }
  SECTION("a negative label") {
    write_text(src.train, "y,a\n1,2\n-1,4\n");
    src.label_column = 0;
    expected = src.train + ":3: label column 0 (y) is -1, expected a class number 0, 1, 2, ... (renumber the classes from 0";
  }
  SECTION("a negative label in the test file") {
    write_text(src.train, "1,2\n0,4\n");
    write_text(d.file("test.csv"), "3,1\n-7,5\n");
    src.test = d.file("test.csv");
    src.label_column = 0;
    expected = d.file("test.csv") + ":2: label column 0 is -7, expected a class number";
  }
  SECTION("a test file of another width") {
    write_text(src.train, "1,2\n3,4\n");
    write_text(d.file("test.csv"), "1,2,3\n");
    src.test = d.file("test.csv");
    expected = d.file("test.csv") + ":1: 3 columns, expected 2 like " + src.train;
  }
  SECTION("a corrupt gzip file") {
    src.train = d.file("bad.csv.gz");
    std::string text;
    for (int i = 0; i < 2000; ++i) text += std::to_string(i) + "," + std::to_string(i * 7) + "\n";
    write_gz(src.train, std::vector<std::uint8_t>(text.begin(), text.end()));
    std::vector<char> bytes;
    {
      std::ifstream in(src.train, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    bytes.resize(bytes.size() / 2);  // cut off in the middle of the stream
    {
      std::ofstream o(src.train, std::ios::binary);
      o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    expected = src.train + ": read failed";
  }
  SECTION("a missing file") {
    src.train = d.file("nope.csv");
    expected = src.train + ": no such file";
  }
  INFO(expected);
  CHECK_THAT(data_error([&] { aeg::io::import_csv(src, out); }), Contains(expected));
  CHECK_FALSE(std::filesystem::exists(out));
  for (const auto& e : d.entries()) CHECK(e.find(".tmp-") == std::string::npos);
}

TEST_CASE("delimiters that could be part of a number are refused", "[io][csv][bad]") {
  CHECK(aeg::io::parse_delimiter(";") == ';');
  CHECK(aeg::io::parse_delimiter("tab") == '\t');
  for (const char* bad : {".", "-", "e", "1", "ab", ""}) CHECK_THROWS_AS(aeg::io::parse_delimiter(bad), std::invalid_argument);
}

TEST_CASE("CSV values above 1 are kept as they are, never divided by their maximum", "[io][csv]") {
  // Pixel counts 0..255 are stored as uint8 with scale 1, so a model needing [0, 1]
  // refuses them by file, row and column instead of training on silently rescaled data.
  TempDir d;
  aeg::io::CsvSource src;
  src.train = d.file("px.csv");
  write_text(src.train, "0,128,255\n3,4,5\n");
  aeg::io::import_csv(src, d.file("px.h5"));
  const auto info = aeg::io::describe(d.file("px.h5"));
  CHECK(info.train.dtype == DType::uint8);
  CHECK(info.train.scale == 1);
  CHECK(info.train.scale_given);
  CHECK(aeg::io::assumed_scale_note(info).empty());
  CHECK(aeg::io::load_split(d.file("px.h5"), "train").x.data == std::vector<float>{0, 128, 255, 3, 4, 5});
  const aeg::io::FeedRules bce{{}, {0, 1, "BCE needs targets in [0, 1]", "rescale"}};
  CHECK_THAT(data_error([&] { aeg::io::load_split(d.file("px.h5"), "train", 0, bce); }),
             Contains(d.file("px.h5") + ": BCE needs targets in [0, 1]; this file has 128 at /train/x row 0 column 1"));
  // Real values above 1 likewise, as float32.
  write_text(src.train, "0.5,1.5\n2,-3\n");
  aeg::io::import_csv(src, d.file("real.h5"));
  CHECK(aeg::io::load_split(d.file("real.h5"), "train").x.data == std::vector<float>{0.5f, 1.5f, 2, -3});
}
