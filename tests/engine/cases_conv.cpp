// Gradient-check cases for conv2d, conv_transpose2d, max_pool2d, avg_pool2d
// and upsample2d (engine/ops/conv.cpp, conv_transpose.cpp, pooling.cpp).
#include <algorithm>

#include "check_cases.hpp"
#include "engine/ops.hpp"

namespace aeg::test {
namespace {

std::int64_t pick(CheckSetup& s, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(s.rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

// A gradient-requiring input of distinct values 0.01 apart in random places,
// so a perturbation of 1e-6 never changes which element of a window is largest.
Var distinct_input(CheckSetup& s, const std::string& name, const Shape& sh) {
  Tensor<double> t(sh);
  for (std::int64_t i = 0; i < t.size(); ++i) t[i] = 0.01 * static_cast<double>(i - t.size() / 2);
  for (std::int64_t i = t.size() - 1; i > 0; --i)
    std::swap(t[i], t[static_cast<std::int64_t>(s.rng.below(static_cast<std::uint64_t>(i + 1)))]);
  Var v = s.g.input(name, sh, true);
  s.feeds.emplace_back(v, t);
  return v;
}

// ---- conv2d: x (N, C, H, W), w (O, C, kh, kw), b (O)
AEG_CHECK_CASE("conv2d", "stride 1, padding 0, random sizes", [](CheckSetup& s) {
  const std::int64_t N = pick(s, 1, 3), C = pick(s, 1, 3), O = pick(s, 1, 4), kh = pick(s, 1, 3), kw = pick(s, 1, 3);
  Var x = s.input("x", {N, C, pick(s, kh, 6), pick(s, kw, 6)});
  return conv2d(x, s.input("w", {O, C, kh, kw}), s.input("b", {O}));
});
AEG_CHECK_CASE("conv2d", "stride 2, padding 1, odd sizes", [](CheckSetup& s) {
  Var x = s.input("x", {2, 3, 7, 5});
  return conv2d(x, s.input("w", {4, 3, 3, 3}), s.input("b", {4}), 2, 1);
});
AEG_CHECK_CASE("conv2d", "no bias, stride 2, padding 0, 2x3 kernel", [](CheckSetup& s) {
  Var x = s.input("x", {2, 2, 6, 7});
  return conv2d(x, s.input("w", {3, 2, 2, 3}), 2, 0);
});
AEG_CHECK_CASE("conv2d", "stride 3, padding 2 (rows of padding only)", [](CheckSetup& s) {
  Var x = s.input("x", {1, 2, 5, 4});
  return conv2d(x, s.input("w", {2, 2, 3, 2}), s.input("b", {2}), 3, 2);
});
AEG_CHECK_CASE("conv2d", "1x1 kernel, stride 1 (no columns)", [](CheckSetup& s) {
  Var x = s.input("x", {3, 4, 3, 5});
  return conv2d(x, s.input("w", {2, 4, 1, 1}), s.input("b", {2}));
});
AEG_CHECK_CASE("conv2d", "1x1 kernel, stride 2, padding 1", [](CheckSetup& s) {
  Var x = s.input("x", {2, 2, 4, 5});
  return conv2d(x, s.input("w", {3, 2, 1, 1}), s.input("b", {3}), 2, 1);
});
AEG_CHECK_CASE("conv2d", "batch 11 over the blocks, padding 1", [](CheckSetup& s) {
  Var x = s.input("x", {11, 2, 5, 5});
  return conv2d(x, s.input("w", {3, 2, 3, 3}), s.input("b", {3}), 1, 1);
});
AEG_CHECK_CASE("conv2d", "one output channel, padding 1, batch 9 (direct path)", [](CheckSetup& s) {
  Var x = s.input("x", {9, 3, 5, 6});
  return conv2d(x, s.input("w", {1, 3, 3, 3}), s.input("b", {1}), 1, 1);
});
AEG_CHECK_CASE("conv2d", "two output channels, no bias, padding 2 (direct path)", [](CheckSetup& s) {
  Var x = s.input("x", {2, 2, 4, 3});
  return conv2d(x, s.input("w", {2, 2, 3, 2}), 1, 2);
});
AEG_CHECK_CASE("conv2d", "weights only (x is data)", [](CheckSetup& s) {
  Var x = s.data("x", {9, 2, 5, 4}, -1, 1);
  return conv2d(x, s.input("w", {2, 2, 3, 3}), s.input("b", {2}), 2, 1);
});

AEG_CHECK_CASE("conv2d", "fused relu, stride 2, padding 1", [](CheckSetup& s) {
  Var x = s.input("x", {2, 3, 7, 5});
  return conv2d_relu(x, s.input("w", {4, 3, 3, 3}), s.input("b", {4}), 2, 1);
});
AEG_CHECK_CASE("conv2d", "fused relu, batch 11 over the blocks", [](CheckSetup& s) {
  Var x = s.input("x", {11, 2, 5, 5});
  return conv2d_relu(x, s.input("w", {3, 2, 3, 3}), s.input("b", {3}), 1, 1);
});
AEG_CHECK_CASE("conv2d", "fused relu, one output channel (direct path)", [](CheckSetup& s) {
  Var x = s.input("x", {3, 2, 5, 6});
  return conv2d_relu(x, s.input("w", {1, 2, 3, 3}), s.input("b", {1}), 1, 1);
});

// ---- conv_transpose2d: x (N, C_in, H, W), w (C_in, C_out, kh, kw), b (C_out)
AEG_CHECK_CASE("conv_transpose2d", "stride 1, padding 0, random sizes", [](CheckSetup& s) {
  const std::int64_t N = pick(s, 1, 3), Ci = pick(s, 1, 3), Co = pick(s, 1, 3);
  Var x = s.input("x", {N, Ci, pick(s, 1, 5), pick(s, 1, 5)});
  return conv_transpose2d(x, s.input("w", {Ci, Co, pick(s, 1, 3), pick(s, 1, 3)}), s.input("b", {Co}));
});
AEG_CHECK_CASE("conv_transpose2d", "stride 2, padding 1, output padding 1, odd sizes", [](CheckSetup& s) {
  Var x = s.input("x", {2, 3, 4, 3});
  return conv_transpose2d(x, s.input("w", {3, 2, 3, 3}), s.input("b", {2}), 2, 1, 1);
});
AEG_CHECK_CASE("conv_transpose2d", "no bias, stride 3, output padding 2, 2x3 kernel", [](CheckSetup& s) {
  Var x = s.input("x", {2, 2, 3, 4});
  return conv_transpose2d(x, s.input("w", {2, 3, 2, 3}), 3, 0, 2);
});
AEG_CHECK_CASE("conv_transpose2d", "stride 2, padding 2", [](CheckSetup& s) {
  Var x = s.input("x", {1, 2, 4, 5});
  return conv_transpose2d(x, s.input("w", {2, 2, 3, 3}), s.input("b", {2}), 2, 2);
});
AEG_CHECK_CASE("conv_transpose2d", "1x1 kernel, stride 1 (no columns)", [](CheckSetup& s) {
  Var x = s.input("x", {3, 3, 2, 4});
  return conv_transpose2d(x, s.input("w", {3, 2, 1, 1}), s.input("b", {2}));
});
AEG_CHECK_CASE("conv_transpose2d", "batch 10 over the blocks, stride 2", [](CheckSetup& s) {
  Var x = s.input("x", {10, 2, 3, 3});
  return conv_transpose2d(x, s.input("w", {2, 2, 3, 3}), s.input("b", {2}), 2, 1, 1);
});

AEG_CHECK_CASE("conv_transpose2d", "fused relu, stride 2, padding 1, output padding 1", [](CheckSetup& s) {
  Var x = s.input("x", {2, 3, 4, 3});
  return conv_transpose2d_relu(x, s.input("w", {3, 2, 3, 3}), s.input("b", {2}), 2, 1, 1);
});
// Output padding per side: an even height and an odd width out of one layer.
AEG_CHECK_CASE("conv_transpose2d", "output padding 1x0, stride 2, padding 1", [](CheckSetup& s) {
  Var x = s.input("x", {2, 3, 4, 3});
  return conv_transpose2d(x, s.input("w", {3, 2, 3, 3}), s.input("b", {2}), 2, 1, 1, 0);
});
AEG_CHECK_CASE("conv_transpose2d", "fused relu, output padding 0x2, stride 3", [](CheckSetup& s) {
  Var x = s.input("x", {2, 2, 3, 2});
  return conv_transpose2d_relu(x, s.input("w", {2, 3, 3, 2}), s.input("b", {3}), 3, 1, 0, 2);
});
AEG_CHECK_CASE("conv_transpose2d", "fused relu, batch 10 over the blocks", [](CheckSetup& s) {
  Var x = s.input("x", {10, 2, 3, 3});
  return conv_transpose2d_relu(x, s.input("w", {2, 3, 3, 3}), s.input("b", {3}), 1, 0);
});

// ---- pools and upsampling
AEG_CHECK_CASE("max_pool2d", "kernel 2, stride 2, distinct values", [](CheckSetup& s) {
  return max_pool2d(distinct_input(s, "x", {2, 3, 6, 4}), 2);
});
AEG_CHECK_CASE("max_pool2d", "kernel 3, stride 2, ceil mode, odd sizes", [](CheckSetup& s) {
  return max_pool2d(distinct_input(s, "x", {2, 2, 8, 7}), 3, 2, true);
});
AEG_CHECK_CASE("max_pool2d", "kernel 2, ceil mode 7 -> 4", [](CheckSetup& s) {
  return max_pool2d(distinct_input(s, "x", {1, 3, 7, 7}), 2, 2, true);
});
AEG_CHECK_CASE("max_pool2d", "overlapping windows, stride 1", [](CheckSetup& s) {
  return max_pool2d(distinct_input(s, "x", {2, 2, 5, 6}), 3, 1);
});
AEG_CHECK_CASE("avg_pool2d", "kernel 2, stride 2", [](CheckSetup& s) {
  return avg_pool2d(s.input("x", {2, 3, 6, 4}), 2);
});
AEG_CHECK_CASE("avg_pool2d", "kernel 3, stride 2, ceil mode, odd sizes", [](CheckSetup& s) {
  return avg_pool2d(s.input("x", {2, 2, 8, 7}), 3, 2, true);
});
AEG_CHECK_CASE("avg_pool2d", "overlapping windows, stride 1", [](CheckSetup& s) {
  return avg_pool2d(s.input("x", {1, 2, 5, 6}), 2, 1);
});
AEG_CHECK_CASE("upsample2d", "factor 2", [](CheckSetup& s) { return upsample2d(s.input("x", {2, 3, 3, 4}), 2); });
AEG_CHECK_CASE("upsample2d", "factor 3, one pixel", [](CheckSetup& s) { return upsample2d(s.input("x", {2, 2, 1, 1}), 3); });
AEG_CHECK_CASE("upsample2d", "factor 1", [](CheckSetup& s) { return upsample2d(s.input("x", {1, 2, 3, 2}), 1); });

}  // namespace
}  // namespace aeg::test
