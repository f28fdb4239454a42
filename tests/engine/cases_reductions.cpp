// Gradient-check cases for sum and mean (engine/ops/reductions.cpp).
#include "check_cases.hpp"
#include "engine/ops.hpp"

namespace aeg::test {
namespace {

AEG_CHECK_CASE("sum", "everything", [](CheckSetup& s) { return sum(s.input("x", s.shape(3))); });
AEG_CHECK_CASE("sum", "axis 0", [](CheckSetup& s) { return sum(s.input("x", s.shape(2)), 0); });
AEG_CHECK_CASE("sum", "middle axis, keepdims", [](CheckSetup& s) { return sum(s.input("x", s.shape(3)), 1, true); });
AEG_CHECK_CASE("sum", "last axis (-1)", [](CheckSetup& s) { return sum(s.input("x", s.shape(3)), -1); });
AEG_CHECK_CASE("sum", "keepdims then a broadcast mul", [](CheckSetup& s) {
  Var x = s.input("x", s.shape(2));
  return x * sum(x, -1, true);
});

AEG_CHECK_CASE("mean", "everything", [](CheckSetup& s) { return mean(s.input("x", s.shape(2))); });
AEG_CHECK_CASE("mean", "axis 0", [](CheckSetup& s) { return mean(s.input("x", s.shape(3)), 0); });
AEG_CHECK_CASE("mean", "last axis, keepdims", [](CheckSetup& s) { return mean(s.input("x", s.shape(2)), -1, true); });
AEG_CHECK_CASE("mean", "keepdims then a broadcast sub (centering)", [](CheckSetup& s) {
  Var x = s.input("x", s.shape(2));
  return square(x - mean(x, 0, true));
});

}  // namespace
}  // namespace aeg::test
