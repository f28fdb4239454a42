// Checks of written figures shared by the plot and app tests: a PNG or an SVG
// of the stated size, and the texts an SVG draws.
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "io/png.hpp"

namespace aeg::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every <text> element's content, unescaped.
inline std::vector<std::string> svg_texts(const std::string& svg) {
  std::vector<std::string> out;
  const std::regex text("<text[^>]*>([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text); it != std::sregex_iterator(); ++it) {
    std::string t = (*it)[1];
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}})
      for (std::size_t at = t.find(from); at != std::string::npos; at = t.find(from, at + to.size()))
        t.replace(at, from.size(), to);
    out.push_back(t);
  }
  return out;
}

inline bool svg_has_text(const std::string& svg, const std::string& s) {
  for (const auto& t : svg_texts(svg))
    if (t == s) return true;
  return false;
}

inline bool svg_has_text_containing(const std::string& svg, const std::string& s) {
  for (const auto& t : svg_texts(svg))
    if (t.find(s) != std::string::npos) return true;
  return false;
}

// An SVG document whose root says width x height and whose elements all close.
inline std::string check_svg(const std::string& path, int width, int height) {
  const std::string svg = read_text(path);
  INFO(path);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(svg.find(" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) + "\"") != std::string::npos);
  CHECK(svg.size() >= 7);
  CHECK(svg.substr(svg.size() - 7) == "</svg>\n");
  // Every group and clip path closes; no raw '&' outside an entity.
  auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (std::size_t at = svg.find(s); at != std::string::npos; at = svg.find(s, at + 1)) ++n;
    return n;
  };
  CHECK(count("<g ") + count("<g>") == count("</g>"));
  CHECK(count("<text") == count("</text>"));
  CHECK_FALSE(std::regex_search(svg, std::regex("&(?!(amp|lt|gt|quot|apos);)")));
  return svg;
}

inline void check_png(const std::string& path, int width, int height) {
  INFO(path);
  const io::PngImage im = io::read_png(path);
  CHECK(im.width == width);
  CHECK(im.height == height);
  CHECK(im.channels == 3);
}

}  // namespace aeg::test
