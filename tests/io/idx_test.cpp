#include "io/idx.hpp"

#include "helpers.hpp"

using namespace iotest;

TEST_CASE("IDX files read plain and gzipped", "[io][idx]") {
  TempDir d;
  std::vector<std::uint8_t> data(2 * 3 * 4);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 11);
  const auto bytes = idx_bytes({2, 3, 4}, data);
  write_bytes(d.file("a.idx"), bytes);
  write_gz(d.file("a.idx.gz"), bytes);
  for (const auto& name : {"a.idx", "a.idx.gz"}) {
    const auto r = aeg::io::read_idx(d.file(name));
    CHECK(r.dims == std::vector<std::int64_t>{2, 3, 4});
    CHECK(r.data == data);
  }
  write_bytes(d.file("labels.idx"), idx_bytes({3}, {7, 8, 9}));
  CHECK(aeg::io::read_idx(d.file("labels.idx")).data == std::vector<std::uint8_t>{7, 8, 9});
}

TEST_CASE("bad IDX files fail with the file and the expectation", "[io][idx][bad]") {
  TempDir d;
  SECTION("truncated data") {
    auto b = idx_bytes({10, 28, 28}, std::vector<std::uint8_t>(10 * 28 * 28));
    b.resize(b.size() - 100);
    const auto p = d.file("short.idx");
    write_bytes(p, b);
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }),
               Contains(p) && Contains("10 x 28 x 28 need 7840 bytes") && Contains("7740") &&
                   Contains("truncated"));
    const auto pgz = d.file("short.idx.gz");
    write_gz(pgz, b);
    CHECK_THAT(data_error([&] { aeg::io::read_idx(pgz); }), Contains(pgz) && Contains("truncated"));
  }
  SECTION("dimensions whose product passes 2^63") {
    // Four dimensions of 2^31 - 1: their product passes 2^63 and would wrap; the file has 16 bytes of data.
    std::vector<std::uint8_t> b{0, 0, 8, 4};
    for (int i = 0; i < 4; ++i) b.insert(b.end(), {0x7f, 0xff, 0xff, 0xff});
    b.resize(b.size() + 16);
    const auto p = d.file("huge.idx");
    write_bytes(p, b);
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }), Contains(p) && Contains("more than 2^63 bytes"));
  }
  SECTION("truncated gzip stream") {
    auto b = idx_bytes({100, 28, 28}, std::vector<std::uint8_t>(100 * 28 * 28, 3));
    const auto full = d.file("full.gz");
    write_gz(full, b);
    std::ifstream in(full, std::ios::binary);
    std::vector<std::uint8_t> gz((std::istreambuf_iterator<char>(in)), {});
    gz.resize(gz.size() / 2);
    const auto p = d.file("cut.gz");
    write_bytes(p, gz);
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }), Contains(p) && Contains("gzip"));
  }
  SECTION("wrong magic") {
    const auto p = d.file("magic.idx");
    write_text(p, "PK\x03\x04 this is a zip file, not IDX");
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }),
               Contains(p) && Contains("wrong magic") && Contains("00 00 <type> <rank>"));
  }
  SECTION("unsupported type") {
    const auto p = d.file("float.idx");
    write_bytes(p, idx_bytes({1}, {0, 0, 0, 0}, 0x0D));
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }),
               Contains(p) && Contains("0x0D") && Contains("expected 0x08 (unsigned byte)"));
  }
  SECTION("empty file") {
    const auto p = d.file("empty.idx");
    write_bytes(p, {});
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }), Contains(p) && Contains("empty"));
    const auto pgz = d.file("empty.idx.gz");
    write_gz(pgz, {});
    CHECK_THAT(data_error([&] { aeg::io::read_idx(pgz); }), Contains(pgz) && Contains("empty"));
  }
  SECTION("trailing bytes") {
    auto b = idx_bytes({2, 2}, {1, 2, 3, 4});
    b.push_back(5);
    const auto p = d.file("long.idx");
    write_bytes(p, b);
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }), Contains(p) && Contains("trailing"));
  }
  SECTION("missing file") {
    const auto p = d.file("none.idx");
    CHECK_THAT(data_error([&] { aeg::io::read_idx(p); }), Contains(p) && Contains("no such file"));
  }
}
