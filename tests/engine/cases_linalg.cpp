// Gradient-check cases for matmul and linear (engine/ops/matmul.cpp).
#include "check_cases.hpp"
#include "engine/ops.hpp"

namespace aeg::test {
namespace {

// op(a) (m, k) op(b) (k, n) with each operand stored transposed when its flag is set.
Var matmul_case(CheckSetup& s, bool ta, bool tb) {
  const Shape d = s.shape(3);
  const std::int64_t m = d[0], k = d[1], n = d[2];
  Var a = s.input("a", ta ? Shape{k, m} : Shape{m, k});
  Var b = s.input("b", tb ? Shape{n, k} : Shape{k, n});
  return matmul(a, b, ta, tb);
}

AEG_CHECK_CASE("matmul", "a b", [](CheckSetup& s) { return matmul_case(s, false, false); });
AEG_CHECK_CASE("matmul", "a^T b", [](CheckSetup& s) { return matmul_case(s, true, false); });
AEG_CHECK_CASE("matmul", "a b^T", [](CheckSetup& s) { return matmul_case(s, false, true); });
AEG_CHECK_CASE("matmul", "a^T b^T", [](CheckSetup& s) { return matmul_case(s, true, true); });
AEG_CHECK_CASE("matmul", "x x^T (one input twice)", [](CheckSetup& s) {
  Var x = s.input("x", s.shape(2));
  return matmul(x, x, false, true);
});
AEG_CHECK_CASE("matmul", "bigger than one gemm block", [](CheckSetup& s) {
  Var a = s.input("a", {130, 3});
  Var b = s.input("b", {3, 2});
  return matmul(a, b);
});
AEG_CHECK_CASE("matmul", "then a broadcast add", [](CheckSetup& s) {
  const Shape d = s.shape(3);
  Var y = matmul(s.input("a", {d[0], d[1]}), s.input("b", {d[2], d[1]}), false, true);
  return y + s.input("c", {1, d[2]});
});

AEG_CHECK_CASE("linear", "x W^T + b", [](CheckSetup& s) {
  const Shape d = s.shape(3);  // batch, in, out
  return linear(s.input("x", {d[0], d[1]}), s.input("W", {d[2], d[1]}), s.input("b", {d[2]}));
});
AEG_CHECK_CASE("linear", "more than one bias chunk", [](CheckSetup& s) {
  return linear(s.input("x", {70, 2}), s.input("W", {3, 2}), s.input("b", {3}));
});
AEG_CHECK_CASE("linear", "tied weights (encoder and decoder)", [](CheckSetup& s) {
  const Shape d = s.shape(3);  // batch, in, hidden
  Var x = s.input("x", {d[0], d[1]});
  Var w = s.input("W", {d[2], d[1]});
  Var h = sigmoid(linear(x, w, s.input("b_enc", {d[2]})));
  return linear(h, transpose(w), s.input("b_dec", {d[1]}));
});

}  // namespace
}  // namespace aeg::test
