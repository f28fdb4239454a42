// Gradient-check cases for the elementwise ops of elementwise_{unary,binary}.cpp.
#include "check_cases.hpp"
#include "engine/ops.hpp"

namespace aeg::test {
namespace {

// Shapes that broadcast against each other: (r, c) with (c), (r, 1), (1, c), ().
std::pair<Shape, Shape> broadcast_pair(CheckSetup& s) {
  const Shape a = s.shape(2, 2, 5);
  switch (s.rng.below(5)) {
    case 0: return {a, a};
    case 1: return {a, {a[1]}};
    case 2: return {a, {a[0], 1}};
    case 3: return {{1, a[1]}, a};
    default: return {a, {}};
  }
}

AEG_CHECK_CASE("add", "broadcast", [](CheckSetup& s) {
  auto [sa, sb] = broadcast_pair(s);
  return add(s.input("a", sa), s.input("b", sb));
});
AEG_CHECK_CASE("add", "rank 3 with (c)", [](CheckSetup& s) {
  Shape a = s.shape(3, 2, 4);
  return add(s.input("a", a), s.input("b", {a[2]}));
});
AEG_CHECK_CASE("sub", "broadcast", [](CheckSetup& s) {
  auto [sa, sb] = broadcast_pair(s);
  return sub(s.input("a", sa), s.input("b", sb));
});
AEG_CHECK_CASE("mul", "broadcast", [](CheckSetup& s) {
  auto [sa, sb] = broadcast_pair(s);
  return mul(s.input("a", sa), s.input("b", sb));
});
AEG_CHECK_CASE("mul", "same input twice", [](CheckSetup& s) {
  Var a = s.input("a", s.shape(2));
  return mul(a, a);
});
AEG_CHECK_CASE("div", "broadcast, denominator away from 0", [](CheckSetup& s) {
  auto [sa, sb] = broadcast_pair(s);
  return div(s.input("a", sa), s.input("b", sb, 0.5, 2.0));
});
AEG_CHECK_CASE("neg", "rank 2", [](CheckSetup& s) { return neg(s.input("a", s.shape(2))); });
AEG_CHECK_CASE("add_scalar", "rank 3", [](CheckSetup& s) { return add_scalar(s.input("a", s.shape(3)), 0.7); });
AEG_CHECK_CASE("mul_scalar", "rank 2", [](CheckSetup& s) { return mul_scalar(s.input("a", s.shape(2)), -1.3); });
AEG_CHECK_CASE("pow_scalar", "cube", [](CheckSetup& s) { return pow_scalar(s.input("a", s.shape(2)), 3); });
AEG_CHECK_CASE("pow_scalar", "fractional on positives", [](CheckSetup& s) {
  return pow_scalar(s.input("a", s.shape(2), 0.2, 2.0), -1.5);
});
AEG_CHECK_CASE("exp", "rank 2", [](CheckSetup& s) { return exp(s.input("a", s.shape(2))); });
AEG_CHECK_CASE("log", "positives", [](CheckSetup& s) { return log(s.input("a", s.shape(2), 0.2, 3.0)); });
AEG_CHECK_CASE("sqrt", "positives", [](CheckSetup& s) { return sqrt(s.input("a", s.shape(2), 0.2, 3.0)); });
AEG_CHECK_CASE("square", "rank 2", [](CheckSetup& s) { return square(s.input("a", s.shape(2))); });
AEG_CHECK_CASE("abs", "away from 0", [](CheckSetup& s) { return abs(s.input_away_from("a", s.shape(2), {0})); });
AEG_CHECK_CASE("clip", "away from the bounds", [](CheckSetup& s) {
  return clip(s.input_away_from("a", s.shape(2), {-0.5, 0.5}), -0.5, 0.5);
});

}  // namespace
}  // namespace aeg::test

namespace aeg::test {
namespace {
// Distinct values, so small perturbations never change which units are kept.
AEG_CHECK_CASE("k_sparse", "k of the units per row", [](CheckSetup& s) {
  const Shape sh = s.shape(2, 2, 6);
  Tensor<double> t(sh);
  for (std::int64_t i = 0; i < t.size(); ++i) t[i] = 0.1 * static_cast<double>(i) - 0.3;
  for (std::int64_t i = t.size() - 1; i > 0; --i)  // shuffle: distinct values in random places
    std::swap(t[i], t[static_cast<std::int64_t>(s.rng.below(static_cast<std::uint64_t>(i + 1)))]);
  Var h = s.g.input("h", sh, true);
  s.feeds.emplace_back(h, t);
  return k_sparse(h, 1 + static_cast<std::int64_t>(s.rng.below(static_cast<std::uint64_t>(sh[1]))));
});
}  // namespace
}  // namespace aeg::test
