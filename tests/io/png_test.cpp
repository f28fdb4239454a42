#include "io/png.hpp"

#include <png.h>

#include "helpers.hpp"

using namespace iotest;

namespace {

// Width and height straight from the IHDR chunk bytes.
std::pair<std::uint32_t, std::uint32_t> ihdr_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[24];
  in.read(reinterpret_cast<char*>(b), 24);
  REQUIRE(in.gcount() == 24);
  REQUIRE(std::string(reinterpret_cast<char*>(b + 12), 4) == "IHDR");
  auto be = [&](int o) {
    return (std::uint32_t{b[o]} << 24) | (std::uint32_t{b[o + 1]} << 16) | (std::uint32_t{b[o + 2]} << 8) | b[o + 3];
  };
  return {be(16), be(20)};
}

}  // namespace

TEST_CASE("write_png round trips grey and RGB pixels", "[io][png]") {
  TempDir d;
  const std::vector<std::uint8_t> grey{0, 50, 100, 150, 200, 255};
  aeg::io::write_png(d.file("g.png"), grey, 3, 2);
  auto g = aeg::io::read_png(d.file("g.png"));
  CHECK(g.width == 3);
  CHECK(g.height == 2);
  CHECK(g.channels == 1);
  CHECK(g.pixels == grey);

  std::vector<std::uint8_t> rgb(4 * 5 * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 4);
  aeg::io::write_png(d.file("c.png"), rgb, 4, 5, 3);
  auto c = aeg::io::read_png(d.file("c.png"));
  CHECK(c.channels == 3);
  CHECK(c.pixels == rgb);
  CHECK(ihdr_size(d.file("c.png")) == std::pair<std::uint32_t, std::uint32_t>{4, 5});
  CHECK(d.entries() == std::set<std::string>{"g.png", "c.png"});
  CHECK_THROWS_AS(aeg::io::write_png(d.file("x.png"), rgb, 4, 4, 3), std::invalid_argument);
}

TEST_CASE("write_png_grid's scale draws every pixel of the grid N x N", "[io][png]") {
  TempDir d;
  aeg::Tensor<float> imgs({3, 3, 5, 4});  // colour, so the channels must stay together
  for (std::size_t i = 0; i < imgs.data.size(); ++i) imgs.data[i] = static_cast<float>((i * 37) % 101) / 100.0f;
  aeg::io::write_png_grid(d.file("1.png"), imgs, 1, 3, 2, 0.25f);
  aeg::io::write_png_grid(d.file("3.png"), imgs, 1, 3, 2, 0.25f, 3);
  const auto one = aeg::io::read_png(d.file("1.png")), three = aeg::io::read_png(d.file("3.png"));
  REQUIRE(three.width == 3 * one.width);
  REQUIRE(three.height == 3 * one.height);
  REQUIRE(three.channels == 3);
  int wrong = 0;
  for (int y = 0; y < three.height; ++y)
    for (int x = 0; x < three.width; ++x)
      for (int c = 0; c < 3; ++c)
        wrong += three.pixels[static_cast<std::size_t>((y * three.width + x) * 3 + c)] !=
                 one.pixels[static_cast<std::size_t>(((y / 3) * one.width + x / 3) * 3 + c)];
  CHECK(wrong == 0);
  CHECK_THROWS_AS(aeg::io::write_png_grid(d.file("0.png"), imgs, 1, 3, 2, 0.25f, 0), std::invalid_argument);
  CHECK_THROWS_AS(aeg::io::write_png_grid(d.file("65.png"), imgs, 1, 3, 2, 0.25f, 65), std::invalid_argument);
}

TEST_CASE("write_png_grid tiles images with gaps", "[io][png]") {
  TempDir d;
  // 10 grey images of 6 x 4, image k filled with k / 10, one bright pixel at (1, 2).
  aeg::Tensor<float> imgs({10, 6, 4});
  for (int k = 0; k < 10; ++k)
    for (int i = 0; i < 24; ++i) imgs.data[static_cast<std::size_t>(k * 24 + i)] = k / 10.0f;
  imgs.data[1 * 4 + 2] = 2.0f;  // clamped to 1
  imgs.data[24 + 0] = NAN;      // drawn as 0
  const auto p = d.file("grid.png");
  aeg::io::write_png_grid(p, imgs, 3, 4, 2, 0.5f);
  CHECK(ihdr_size(p) == std::pair<std::uint32_t, std::uint32_t>{4 * 4 + 5 * 2, 3 * 6 + 4 * 2});
  const auto g = aeg::io::read_png(p);
  REQUIRE(g.width == 26);
  REQUIRE(g.height == 26);
  auto at = [&](int y, int x) { return g.pixels[static_cast<std::size_t>(y * g.width + x)]; };
  CHECK(at(0, 0) == 128);           // background
  CHECK(at(2, 2) == 0);             // image 0
  CHECK(at(2 + 1, 2 + 2) == 255);   // its bright pixel
  CHECK(at(2, 2 + 6) == 0);         // image 1, its NaN pixel
  CHECK(at(2, 2 + 6 + 1) == 26);    // image 1: 0.1 * 255
  CHECK(at(2 + 8 + 3, 2 + 6 * 1) == std::lround(0.5f * 255));  // image 5 at row 1, col 1
  CHECK(at(2 + 16, 2 + 6) == std::lround(0.9f * 255));         // image 9 at row 2, col 1
  CHECK(at(2 + 16, 2 + 12) == 128);                            // no image 10

  // Colour: n x 3 x h x w; automatic near-square layout.
  aeg::Tensor<float> rgb({5, 3, 2, 2}, 0.0f);
  for (int k = 0; k < 5; ++k) rgb.data[static_cast<std::size_t>(k * 12 + 4)] = 1.0f;  // green plane, pixel 0
  aeg::io::write_png_grid(d.file("rgb.png"), rgb, 0, 0, 1, 0.0f);
  const auto c = aeg::io::read_png(d.file("rgb.png"));
  CHECK(c.channels == 3);
  CHECK(c.width == 3 * 2 + 4);   // 3 columns
  CHECK(c.height == 2 * 2 + 3);  // 2 rows
  CHECK(c.pixels[static_cast<std::size_t>((1 * c.width + 1) * 3 + 1)] == 255);
  CHECK(c.pixels[static_cast<std::size_t>((1 * c.width + 1) * 3 + 0)] == 0);
}

TEST_CASE("read_png rejects files that are not PNG", "[io][png][bad]") {
  TempDir d;
  write_text(d.file("x.png"), "not a png");
  CHECK_THAT(data_error([&] { aeg::io::read_png(d.file("x.png")); }), Contains(d.file("x.png")));
  CHECK_THAT(data_error([&] { aeg::io::read_png(d.file("none.png")); }), Contains("no such file"));
}
