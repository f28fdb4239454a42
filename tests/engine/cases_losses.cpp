// Gradient-check cases for the losses (run by the gradient sweep). Inputs stay
// away from kinks: probabilities in (0.05, 0.95), |h| >= 0.05 for l1 and the
// piecewise activations of the contractive penalty, mean activations well
// inside (0, 1) for kl_sparsity.
#include "engine/ops.hpp"
#include "check_cases.hpp"

namespace aeg::test {
namespace {

AEG_CHECK_CASE("bce", "probabilities against a data target", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  return bce(s.input("p", sh, 0.05, 0.95), s.data("x", sh));
});
AEG_CHECK_CASE("bce", "rank 3, gradient w.r.t. the target too", [](CheckSetup& s) {
  const Shape sh = s.shape(3, 1, 4);
  return bce(s.input("p", sh, 0.05, 0.95), s.input("x", sh, 0, 1));
});

AEG_CHECK_CASE("bce_with_logits", "logits and target", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  return bce_with_logits(s.input("l", sh, -4, 4), s.input("x", sh, 0, 1));
});
AEG_CHECK_CASE("bce_with_logits", "rank 1", [](CheckSetup& s) {
  const Shape sh = s.shape(1, 2, 6);
  return bce_with_logits(s.input("l", sh, -4, 4), s.data("x", sh));
});

AEG_CHECK_CASE("mse", "both inputs", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  return mse(s.input("y", sh, -2, 2), s.input("x", sh, -2, 2));
});
AEG_CHECK_CASE("mse", "rank 4", [](CheckSetup& s) {
  const Shape sh = s.shape(4, 1, 3);
  return mse(s.input("y", sh), s.data("x", sh));
});

AEG_CHECK_CASE("l1_activity", "away from 0", [](CheckSetup& s) {
  return l1_activity(s.input_away_from("h", s.shape(2), {0.0}, -2, 2));
});

AEG_CHECK_CASE("kl_sparsity", "mean activations in (0.1, 0.6)", [](CheckSetup& s) {
  return kl_sparsity(s.input("h", s.shape(2, 2, 5), 0.1, 0.6), 0.05);
});
AEG_CHECK_CASE("kl_sparsity", "rank 3, rho 0.3", [](CheckSetup& s) {
  return kl_sparsity(s.input("h", s.shape(3, 1, 4), 0.1, 0.9), 0.3);
});

// The mean is data (no gradient), drawn apart from h's own mean.
AEG_CHECK_CASE("kl_sparsity_given_mean", "a given mean in (0.1, 0.6)", [](CheckSetup& s) {
  const Shape sh = s.shape(2, 2, 5);
  return kl_sparsity(s.input("h", sh, -1, 1), 0.05, s.data("mean", {sh[1]}, 0.1, 0.6));
});
AEG_CHECK_CASE("kl_sparsity_given_mean", "rank 3, rho 0.3", [](CheckSetup& s) {
  const Shape sh = s.shape(3, 1, 4);
  return kl_sparsity(s.input("h", sh, 0.1, 0.9), 0.3, s.data("mean", {sh[1] * sh[2]}, 0.1, 0.9));
});

AEG_CHECK_CASE("gaussian_kl", "mu and logvar", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  return gaussian_kl(s.input("mu", sh, -1.5, 1.5), s.input("logvar", sh, -2, 1));
});

// One case per activation; a stays away from 0, where relu, leaky_relu and
// elu have a kink in f' or f''.
#define AEG_CONTRACTIVE_CASE(title, act)                                               \
  AEG_CHECK_CASE("contractive", title, [](CheckSetup& s) {                             \
    const Shape a = s.shape(2);                                                        \
    const Shape w{a[1], s.shape(1)[0]};                                                \
    return contractive(s.input_away_from("a", a, {0.0}, -2, 2), s.input("W", w), act); \
  })
AEG_CONTRACTIVE_CASE("identity", Activation::Identity);
AEG_CONTRACTIVE_CASE("sigmoid", Activation::Sigmoid);
AEG_CONTRACTIVE_CASE("tanh", Activation::Tanh);
AEG_CONTRACTIVE_CASE("relu", Activation::Relu);
AEG_CONTRACTIVE_CASE("leaky_relu", Activation::LeakyRelu);
AEG_CONTRACTIVE_CASE("elu", Activation::Elu);
AEG_CONTRACTIVE_CASE("softplus", Activation::Softplus);
#undef AEG_CONTRACTIVE_CASE

}  // namespace
}  // namespace aeg::test
