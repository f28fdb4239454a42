// Gradient-check cases for the activations (engine/ops/activations.cpp).
#include "check_cases.hpp"
#include "engine/ops.hpp"

namespace aeg::test {
namespace {

AEG_CHECK_CASE("sigmoid", "random rank 3", [](CheckSetup& s) { return sigmoid(s.input("x", s.shape(3), -4, 4)); });
AEG_CHECK_CASE("sigmoid", "large magnitudes", [](CheckSetup& s) { return sigmoid(s.input("x", s.shape(2), -30, 30)); });
AEG_CHECK_CASE("sigmoid", "via activate", [](CheckSetup& s) {
  return activate(s.input("x", s.shape(2), -3, 3), Activation::Sigmoid);
});

AEG_CHECK_CASE("tanh", "random rank 2", [](CheckSetup& s) { return tanh(s.input("x", s.shape(2), -3, 3)); });
AEG_CHECK_CASE("tanh", "0-d", [](CheckSetup& s) { return tanh(s.input("x", Shape{}, -1, 1)); });
AEG_CHECK_CASE("tanh", "via activate", [](CheckSetup& s) {
  return activate(s.input("x", s.shape(3), -2, 2), Activation::Tanh);
});

AEG_CHECK_CASE("relu", "away from 0", [](CheckSetup& s) { return relu(s.input_away_from("x", s.shape(3), {0})); });
AEG_CHECK_CASE("relu", "via activate", [](CheckSetup& s) {
  return activate(s.input_away_from("x", s.shape(2), {0}), Activation::Relu);
});

AEG_CHECK_CASE("leaky_relu", "default slope", [](CheckSetup& s) {
  return leaky_relu(s.input_away_from("x", s.shape(3), {0}));
});
AEG_CHECK_CASE("leaky_relu", "slope 0.3", [](CheckSetup& s) {
  return leaky_relu(s.input_away_from("x", s.shape(2), {0}, -2, 2), 0.3);
});
AEG_CHECK_CASE("leaky_relu", "negative slope", [](CheckSetup& s) {
  return leaky_relu(s.input_away_from("x", s.shape(2), {0}), -0.5);
});
AEG_CHECK_CASE("leaky_relu", "via activate", [](CheckSetup& s) {
  return activate(s.input_away_from("x", s.shape(2), {0}), Activation::LeakyRelu);
});

AEG_CHECK_CASE("elu", "alpha 1", [](CheckSetup& s) { return elu(s.input_away_from("x", s.shape(3), {0}, -3, 3)); });
AEG_CHECK_CASE("elu", "alpha 0.5", [](CheckSetup& s) {
  return elu(s.input_away_from("x", s.shape(2), {0}, -3, 3), 0.5);
});
AEG_CHECK_CASE("elu", "via activate", [](CheckSetup& s) {
  return activate(s.input_away_from("x", s.shape(2), {0}), Activation::Elu);
});

AEG_CHECK_CASE("softplus", "random rank 3", [](CheckSetup& s) { return softplus(s.input("x", s.shape(3), -5, 5)); });
AEG_CHECK_CASE("softplus", "large magnitudes", [](CheckSetup& s) {
  return softplus(s.input("x", s.shape(2), -40, 40));
});
AEG_CHECK_CASE("softplus", "via activate", [](CheckSetup& s) {
  return activate(s.input("x", s.shape(2), -2, 2), Activation::Softplus);
});

AEG_CHECK_CASE("identity", "random rank 2", [](CheckSetup& s) { return identity(s.input("x", s.shape(2))); });
AEG_CHECK_CASE("identity", "via activate, broadcast after", [](CheckSetup& s) {
  const Shape sh = s.shape(2);
  return activate(s.input("x", sh), Activation::Identity) * s.input("row", Shape{sh[1]});
});

}  // namespace
}  // namespace aeg::test
