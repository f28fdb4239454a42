// Gradient-check cases for the random ops: gradcheck restores the generator
// before every forward, so each run draws the same noise.
#include "engine/ops.hpp"
#include "check_cases.hpp"

namespace aeg::test {
namespace {

AEG_CHECK_CASE("gaussian_noise", "sigma 0.5", [](CheckSetup& s) {
  return gaussian_noise(s.input("x", s.shape(2)), 0.5);
});
AEG_CHECK_CASE("masking_noise", "rate 0.5", [](CheckSetup& s) {
  return masking_noise(s.input("x", s.shape(2, 2, 6)), 0.5);
});
AEG_CHECK_CASE("salt_pepper_noise", "rate 0.5", [](CheckSetup& s) {
  return salt_pepper_noise(s.input("x", s.shape(3)), 0.5);
});
AEG_CHECK_CASE("reparameterize", "mu and logvar", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  return reparameterize(s.input("mu", sh), s.input("logvar", sh, -2, 1));
});
AEG_CHECK_CASE("reparameterize", "feeding a loss", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  Var mu = s.input("mu", sh);
  Var lv = s.input("logvar", sh, -2, 1);
  return mse(reparameterize(mu, lv), s.data("x", sh)) + gaussian_kl(mu, lv);
});

}  // namespace
}  // namespace aeg::test
