// Gradient-check cases for transpose, reshape, concat and slice (engine/ops/shape_ops.cpp).
#include "check_cases.hpp"
#include "engine/ops.hpp"

namespace aeg::test {
namespace {

AEG_CHECK_CASE("transpose", "random 2-D", [](CheckSetup& s) { return transpose(s.input("x", s.shape(2))); });
AEG_CHECK_CASE("transpose", "larger than one tile", [](CheckSetup& s) { return transpose(s.input("x", {3, 37})); });
AEG_CHECK_CASE("transpose", "then a broadcast mul", [](CheckSetup& s) {
  const Shape d = s.shape(2);
  return transpose(s.input("x", d)) * s.input("col", {d[1], 1});
});

AEG_CHECK_CASE("reshape", "flatten with -1", [](CheckSetup& s) {
  const Shape d = s.shape(3);
  return reshape(s.input("x", d), {d[0], -1});
});
AEG_CHECK_CASE("reshape", "to rank 3", [](CheckSetup& s) {
  const Shape d = s.shape(3);
  return reshape(s.input("x", {d[0] * d[1], d[2]}), {-1, d[1], d[2]});
});
AEG_CHECK_CASE("reshape", "to 0-d", [](CheckSetup& s) { return reshape(s.input("x", {1, 1}), Shape{}); });

// Of computed values: the plan aliases these views (no copy); the view's gradient and
// its input's direct use (x * ...) meet in one buffer.
AEG_CHECK_CASE("reshape", "views of a computed value, used beside it", [](CheckSetup& s) {
  const Shape d = s.shape(2);
  Var a = tanh(s.input("x", d));
  Var v = reshape(reshape(a, {-1}), {d[1], d[0]});
  return a * reshape(square(v), d);
});

AEG_CHECK_CASE("concat", "three parts on axis 0", [](CheckSetup& s) {
  const Shape d = s.shape(2);
  return concat({s.input("a", d), s.input("b", {d[0] + 1, d[1]}), s.input("c", {1, d[1]})}, 0);
});
AEG_CHECK_CASE("concat", "two parts on the last axis (-1)", [](CheckSetup& s) {
  const Shape d = s.shape(3);
  return concat({s.input("a", d), s.input("b", {d[0], d[1], 2})}, -1);
});
AEG_CHECK_CASE("concat", "middle axis, one part twice", [](CheckSetup& s) {
  const Shape d = s.shape(3);
  Var a = s.input("a", d);
  return concat({a, s.input("b", {d[0], 3, d[2]}), a}, 1);
});
AEG_CHECK_CASE("concat", "one part", [](CheckSetup& s) { return concat({s.input("a", s.shape(2))}, 1); });

AEG_CHECK_CASE("slice", "axis 0", [](CheckSetup& s) {
  const Shape d = s.shape(2, 2, 5);
  return slice(s.input("x", d), 0, 1, d[0]);
});
AEG_CHECK_CASE("slice", "last axis, negative bounds", [](CheckSetup& s) {
  const Shape d = s.shape(3, 3, 5);
  return slice(s.input("x", d), -1, -3, -1);
});
AEG_CHECK_CASE("slice", "middle axis", [](CheckSetup& s) {
  const Shape d = s.shape(3, 2, 4);
  return slice(s.input("x", d), 1, 0, 1);
});
AEG_CHECK_CASE("slice", "two slices of one input", [](CheckSetup& s) {
  Var x = s.input("x", {3, 4});
  return slice(x, 1, 0, 2) * slice(x, 1, 2, 4);
});

}  // namespace
}  // namespace aeg::test
