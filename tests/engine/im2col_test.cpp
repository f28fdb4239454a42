// im2col and col2im (engine/kernels/im2col.hpp) against nested loops in float:
// im2col copies every image element (or 0 for padding) to its column entry,
// col2im adds every column entry onto its pixel in tap order from +0. The
// same bits are required, on random geometries at strides 1 to 3 (strides 1
// and 2 take the AVX-512 kernels of im2col_s1.hpp / im2col_s2.hpp in the
// AVX-512 build), with -0 entries mixed in and col2im's assigning and adding
// forms; for each build of the kernels this CPU runs, so both builds also
// give each other's bits.
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/im2col.hpp"
#include "isa_builds.hpp"

using aeg::detail::ConvGeom;

namespace {

// f(column entry, image element or -1 for padding) for every column entry, in
// tap order (channel, kernel row, kernel column), then position order.
template <class F>
void each_entry(const ConvGeom& g, F&& f) {
  for (std::int64_t c = 0; c < g.c; ++c)
    for (std::int64_t i = 0; i < g.kh; ++i)
      for (std::int64_t j = 0; j < g.kw; ++j)
        for (std::int64_t oy = 0; oy < g.oh; ++oy)
          for (std::int64_t ox = 0; ox < g.ow; ++ox) {
            const std::int64_t y = oy * g.stride - g.pad + i, x = ox * g.stride - g.pad + j;
            const bool inside = y >= 0 && y < g.h && x >= 0 && x < g.w;
            f(((c * g.kh + i) * g.kw + j) * g.cols() + oy * g.ow + ox, inside ? (c * g.h + y) * g.w + x : -1);
          }
}

std::vector<float> im2col_loops(const ConvGeom& g, const std::vector<float>& img) {
  std::vector<float> col(static_cast<std::size_t>(g.rows() * g.cols()));
  each_entry(g, [&](std::int64_t e, std::int64_t p) { col[e] = p >= 0 ? img[p] : 0.f; });
  return col;
}

std::vector<float> col2im_loops(const ConvGeom& g, const std::vector<float>& col, bool assign,
                                std::vector<float> img) {
  std::vector<float> sum(img.size(), 0.f);
  each_entry(g, [&](std::int64_t e, std::int64_t p) {
    if (p >= 0) sum[p] += col[e];
  });
  for (std::size_t k = 0; k < img.size(); ++k) img[k] = assign ? sum[k] : img[k] + sum[k];
  return img;
}

void check_against_loops(const aeg::detail::IsaKernels* build) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  // (C, H, W, kh, kw, stride, pad) beyond the random ranges: padding of 16 or more,
  // wide kernels, rows at and past 128 columns or 64 positions (the register
  // kernels' limits, where the generic versions take over).
  const std::vector<std::array<std::int64_t, 7>> edges{
      {1, 5, 9, 3, 3, 2, 16}, {2, 4, 6, 2, 3, 2, 17}, {1, 3, 40, 2, 17, 2, 1}, {1, 3, 40, 2, 18, 2, 0},
      {1, 3, 127, 3, 3, 2, 1}, {1, 2, 140, 2, 3, 2, 0}, {2, 3, 33, 3, 4, 2, 15},
      {1, 3, 130, 3, 3, 1, 1}, {1, 4, 20, 2, 33, 1, 16}, {2, 5, 50, 3, 5, 1, 17}, {1, 3, 128, 2, 3, 1, 0}};
  int checked = 0;
  for (std::size_t t = 0; t < 400 + edges.size(); ++t) {
    ConvGeom g;
    if (t < edges.size()) {
      const auto& e = edges[t];
      g.c = e[0], g.h = e[1], g.w = e[2], g.kh = e[3], g.kw = e[4], g.stride = e[5], g.pad = e[6];
    } else {
      g.c = 1 + rng() % 3;
      g.kh = 1 + rng() % 5;
      g.kw = 1 + rng() % 5;
      g.stride = 1 + rng() % 3;
      g.pad = rng() % 3;
      g.h = 1 + rng() % 20;
      g.w = 1 + rng() % 40;
    }
    if (g.h + 2 * g.pad < g.kh || g.w + 2 * g.pad < g.kw) {
      REQUIRE(t >= edges.size());  // every edge case is a valid geometry
      continue;
    }
    g.oh = (g.h + 2 * g.pad - g.kh) / g.stride + 1;
    g.ow = (g.w + 2 * g.pad - g.kw) / g.stride + 1;
    std::vector<float> scratch(static_cast<std::size_t>(aeg::detail::scratch_size(g)));
    const std::int32_t* off = aeg::detail::gather_offsets(g, scratch.data());
    INFO("C=" << g.c << " " << g.h << "x" << g.w << " k=" << g.kh << "x" << g.kw << " s=" << g.stride
              << " p=" << g.pad);
    std::vector<float> image(static_cast<std::size_t>(g.image_size()));
    for (auto& v : image) v = rng() % 6 == 0 ? -0.f : u(rng);
    std::vector<float> col(static_cast<std::size_t>(g.rows() * g.cols()), 7.f);  // 7: any entry left unwritten shows
    build->im2col(g, image.data(), col.data(), scratch.data(), off);
    const std::vector<float> want_col = im2col_loops(g, image);
    REQUIRE(std::memcmp(col.data(), want_col.data(), col.size() * sizeof(float)) == 0);

    for (auto& v : col) v = rng() % 6 == 0 ? -0.f : u(rng);
    for (bool assign : {true, false}) {
      std::vector<float> img(static_cast<std::size_t>(g.image_size()));
      for (auto& v : img) v = u(rng);
      const std::vector<float> want = col2im_loops(g, col, assign, img);
      build->col2im(g, col.data(), scratch.data(), off, assign, img.data());
      INFO((assign ? "col2im assigning" : "col2im adding"));
      REQUIRE(std::memcmp(img.data(), want.data(), img.size() * sizeof(float)) == 0);
    }
    ++checked;
  }
  CHECK(checked > 300);
}

}  // namespace

TEST_CASE("im2col and col2im give the bits of nested loops at strides 1-3", "[conv][isa]") {
  for (const aeg::detail::IsaKernels* build : runnable_isa_builds()) {
    INFO("the " << aeg::detail::isa_name(build->isa) << " build");
    check_against_loops(build);
  }
}
