// The activations f of h = f(a): their names, value ranges and default parameters,
// read by everything that parses, prints, checks or applies one. Each is one row of
// engine/ops/activation_table.hpp (name, f, f', f'', range, default parameter):
// adding an activation is its enumerator here and its row there.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aeg {

enum class Activation { Identity, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus };

struct ActivationInfo {
  Activation id;
  std::string_view name;        // as parsed and printed: "leaky_relu"
  std::vector<std::string_view> aliases;  // other names parsed as this one ("linear")
  double lo, hi;                // the closed range of f's values (+-infinity where unbounded)
  std::string_view param_name;  // "slope", "alpha"; empty for none
  double param;                 // its default (activate() applies it)
};

// Every activation, in the order of the enumeration.
const std::vector<ActivationInfo>& activations();
// The row of f; throws std::invalid_argument for a value outside the enumeration.
const ActivationInfo& activation_info(Activation f);
// The activation named `name` (or one of its aliases), if any.
std::optional<Activation> find_activation(std::string_view name);
// "identity, sigmoid, tanh, relu, leaky_relu, elu or softplus": for messages and help.
std::string activation_names();

}  // namespace aeg
