// The elementwise activations (one op class, detail::UnaryOp, per row of
// activation_table.hpp) and the table's public face (engine/activation.hpp).
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/ops.hpp"
#include "engine/ops/activation_table.hpp"

namespace aeg {
namespace {

namespace act = detail::act;
using detail::UnaryAttr;
using detail::UnaryOp;

template <class Fn>
Var apply_unary(Var a, UnaryAttr attr = {}) {
  return a.graph().apply(std::make_shared<UnaryOp<Fn>>(attr), {a});
}

void check_finite(const char* op, const char* what, double v) {
  if (!std::isfinite(v))
    throw std::invalid_argument(std::string(op) + ": " + what + " must be finite, got " + std::to_string(v));
}

std::vector<std::string_view> split_aliases(std::string_view s) {
  std::vector<std::string_view> r;
  while (!s.empty()) {
    const auto comma = s.find(',');
    r.push_back(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  }
  return r;
}

template <class... R>
std::vector<ActivationInfo> table(act::RowList<R...>) {
  return {ActivationInfo{R::id, R::name, split_aliases(R::aliases), R::lo, R::hi, R::param_name, R::param}...};
}

}  // namespace

const std::vector<ActivationInfo>& activations() {
  static const std::vector<ActivationInfo> rows = [] {
    std::vector<ActivationInfo> t = table(act::ActivationRows{});
    for (std::size_t i = 0; i < t.size(); ++i)
      if (static_cast<std::size_t>(t[i].id) != i)
        throw std::logic_error("activation_table.hpp: row '" + std::string(t[i].name) + "' is out of the enumeration's order");
    return t;
  }();
  return rows;
}

const ActivationInfo& activation_info(Activation f) {
  const auto& rows = activations();
  const auto i = static_cast<std::size_t>(f);
  if (i >= rows.size())
    throw std::invalid_argument("activation #" + std::to_string(static_cast<int>(f)) + " is not one of " + activation_names());
  return rows[i];
}

std::optional<Activation> find_activation(std::string_view name) {
  for (const ActivationInfo& a : activations()) {
    if (a.name == name) return a.id;
    for (std::string_view alias : a.aliases)
      if (alias == name) return a.id;
  }
  return std::nullopt;
}

std::string activation_names() {
  const auto& rows = activations();
  std::string s;
  for (std::size_t i = 0; i < rows.size(); ++i)
    s += (i == 0 ? "" : i + 1 == rows.size() ? " or " : ", ") + std::string(rows[i].name);
  return s;
}

Var sigmoid(Var a) { return apply_unary<act::Sigmoid>(a); }
Var tanh(Var a) { return apply_unary<act::Tanh>(a); }
Var relu(Var a) { return apply_unary<act::Relu>(a); }
Var leaky_relu(Var a, double slope) {
  check_finite(act::LeakyRelu::name, act::LeakyRelu::param_name, slope);
  return apply_unary<act::LeakyRelu>(a, {slope});
}
Var elu(Var a, double alpha) {
  check_finite(act::Elu::name, act::Elu::param_name, alpha);
  return apply_unary<act::Elu>(a, {alpha});
}
Var softplus(Var a) { return apply_unary<act::Softplus>(a); }
Var identity(Var a) { return apply_unary<act::Identity>(a); }

Var activate(Var a, Activation f) {
  Var out;
  act::with_activation(f, [&](auto row) {
    using R = decltype(row);
    out = apply_unary<R>(a, {R::param});
  });
  return out;
}

}  // namespace aeg
