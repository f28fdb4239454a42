#include "zoo/spec.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <variant>

namespace aeg::zoo {

std::optional<std::vector<std::int64_t>> parse_sizes(const std::string& s) {
  std::vector<std::int64_t> r;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (...) {
      used = 0;
    }
    if (used != item.size() || v <= 0) return std::nullopt;
    r.push_back(v);
  }
  return r;
}

namespace {

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

std::vector<std::int64_t> split_ints(const std::string& key, const std::string& s) {
  if (auto sizes = parse_sizes(s)) return *sizes;
  throw std::invalid_argument("spec: " + key + " = '" + s + "' must be a list of positive integers");
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// The convolutional blocks fit the image and each other, and the options that
// assume a dense encoder are refused.
template <class Fail>
void validate_conv(const ModelSpec& s, const Fail& fail) {
  const bool conv = !s.conv_encoder.empty() || !s.conv_decoder.empty();
  if (!conv) {
    if (s.conv_code) fail("conv_code needs a conv encoder");
    return;
  }
  if (s.image_shape.size() != 3) fail("convolutional blocks need an image shape C,H,W");
  if (s.conv_encoder.empty()) fail("a conv decoder needs a conv encoder (it starts from its output shape)");
  if (s.tied) fail("tied weights are for dense layers; this model has convolutional blocks");
  if (s.contractive > 0) fail("the contractive penalty is for one dense layer; this model has convolutional blocks");
  if (s.conditional) fail("the conditional form is not available with convolutional blocks");
  std::vector<std::vector<std::int64_t>> enc, dec;
  try {
    enc = conv_shapes(s.image_shape, s.conv_encoder);
  } catch (const std::invalid_argument& e) {
    fail(std::string("conv encoder: ") + e.what());
  }
  std::int64_t flat = 1;
  for (auto d : enc.back()) flat *= d;
  if (s.conv_code) {
    if (!s.hidden.empty() || s.variational)
      fail("conv_code makes the conv output the code: no dense hidden layers and no variational heads");
    if (s.code != flat)
      fail("conv_code: the conv encoder gives " + join(enc.back()) + " = " + std::to_string(flat) +
           " code units, but code = " + std::to_string(s.code));
  }
  if (s.kl_beta > 0 && s.conv_code) {
    Activation last = Activation::Identity;
    for (const auto& l : s.conv_encoder)
      if (l.has_weights()) last = l.activation;
    if (last != Activation::Sigmoid) fail("KL sparsity needs a sigmoid code; the last conv layer is " + to_string(last));
  }
  if (s.conv_decoder.empty()) return;
  if (!s.conv_decoder.back().has_weights()) fail("the conv decoder must end in a conv or convt layer (it gives the output)");
  try {
    dec = conv_shapes(enc.back(), s.conv_decoder);
  } catch (const std::invalid_argument& e) {
    fail(std::string("conv decoder: ") + e.what());
  }
  if (dec.back() != s.image_shape)
    fail("the conv decoder ends in " + join(dec.back()) + ", not the image shape " + join(s.image_shape));
}

}  // namespace

std::string to_string(Activation a) { return std::string(activation_info(a).name); }

std::pair<double, double> value_range(Activation a) {
  const ActivationInfo& f = activation_info(a);
  return {f.lo, f.hi};
}

bool TargetRange::bounded() const { return std::isfinite(lo) || std::isfinite(hi); }

TargetRange target_range(const ModelSpec& spec) {
  auto bound = [](double v) { return std::isfinite(v) ? fmt(v) : std::string("inf"); };
  const auto [lo, hi] = spec.loss == Loss::BCE ? std::pair<double, double>{0, 1} : value_range(spec.output);
  TargetRange r{lo, hi, "", ""};
  if (!r.bounded()) return r;
  const std::string interval = "[" + bound(lo) + ", " + bound(hi) + (std::isfinite(hi) ? "]" : ")");
  if (spec.loss == Loss::BCE) {
    r.need = "BCE needs targets in " + interval;
    r.remedy = "use --loss mse --output identity, or rescale";
  } else {
    r.need = "a " + to_string(spec.output) + " output reaches only " + interval + ", so its targets must lie there";
    r.remedy = "use --output identity, or rescale";
  }
  return r;
}

Activation parse_activation(const std::string& s) {
  if (const auto a = find_activation(s)) return *a;
  throw std::invalid_argument("unknown activation '" + s + "' (expected " + activation_names() + ")");
}

namespace {

// The losses and the noise kinds, one row each: parsing, printing, help and
// messages read these tables.
struct LossRow {
  Loss id;
  const char* name;
  const char* help;
};
const LossRow kLosses[] = {
    {Loss::BCE, "bce", "data in [0, 1], sigmoid output"},
    {Loss::MSE, "mse", "1/2 sum of squares; any real data with --output identity"},
};

struct NoiseRow {
  Noise id;
  const char* name;
  std::vector<const char*> aliases;
};
const NoiseRow kNoises[] = {
    {Noise::None, "none", {}},
    {Noise::Masking, "masking", {}},
    {Noise::Gaussian, "gaussian", {}},
    {Noise::SaltPepper, "salt-pepper", {"salt_pepper", "saltpepper"}},
};

// "a, b or c" of the rows' names.
template <class Rows>
std::string names_of(const Rows& rows) {
  std::string s;
  const std::size_t n = std::size(rows);
  for (std::size_t i = 0; i < n; ++i) s += (i == 0 ? "" : i + 1 == n ? " or " : ", ") + std::string(rows[i].name);
  return s;
}

}  // namespace

std::string to_string(Loss l) {
  for (const LossRow& r : kLosses)
    if (r.id == l) return r.name;
  return "?";
}

Loss parse_loss(const std::string& s) {
  for (const LossRow& r : kLosses)
    if (s == r.name) return r.id;
  throw std::invalid_argument("loss '" + s + "': expected " + names_of(kLosses));
}

std::string loss_help() {
  std::string s;
  const std::size_t n = std::size(kLosses);
  for (std::size_t i = 0; i < n; ++i)
    s += (i == 0 ? "" : i + 1 == n ? " or " : ", ") + std::string(kLosses[i].name) + " (" + kLosses[i].help + ")";
  return s;
}

std::string to_string(Noise n) {
  for (const NoiseRow& r : kNoises)
    if (r.id == n) return r.name;
  return "?";
}

Noise parse_noise(const std::string& s) {
  for (const NoiseRow& r : kNoises) {
    if (s == r.name) return r.id;
    for (const char* a : r.aliases)
      if (s == a) return r.id;
  }
  throw std::invalid_argument("unknown noise '" + s + "' (expected " + noise_names() + ")");
}

std::string noise_names() { return names_of(kNoises); }

std::vector<std::int64_t> ModelSpec::decoder_sizes() const {
  if (!mirror_decoder) return decoder_hidden;
  return {hidden.rbegin(), hidden.rend()};
}

std::vector<std::int64_t> ModelSpec::conv_code_shape() const {
  if (conv_encoder.empty()) return {};
  return conv_shapes(image_shape, conv_encoder).back();
}

namespace {

// The spec's fields, one row each: its key in the text, the member it holds, and the
// apps' option that sets it (empty: no option; the recipe or the data sets it).
// to_text, parse_spec and the apps' list of recipe overrides read this table; a
// field's type says how its value is printed and parsed (the overloads below).
using Member = std::variant<std::string ModelSpec::*, std::int64_t ModelSpec::*, double ModelSpec::*, bool ModelSpec::*,
                            Activation ModelSpec::*, Loss ModelSpec::*, Noise ModelSpec::*,
                            std::vector<std::int64_t> ModelSpec::*, std::vector<ConvLayer> ModelSpec::*>;
struct SpecField {
  const char* key;
  Member member;
  const char* option;
};
const SpecField kFields[] = {
    {"recipe", &ModelSpec::recipe, ""},
    {"features", &ModelSpec::features, ""},
    {"image_shape", &ModelSpec::image_shape, ""},
    {"hidden", &ModelSpec::hidden, "hidden"},
    {"code", &ModelSpec::code, "code"},
    {"activation", &ModelSpec::activation, "activation"},
    {"code_activation", &ModelSpec::code_activation, "code-activation"},
    {"mirror_decoder", &ModelSpec::mirror_decoder, ""},
    {"decoder_hidden", &ModelSpec::decoder_hidden, ""},
    {"output", &ModelSpec::output, "output"},
    {"loss", &ModelSpec::loss, "loss"},
    {"conv_encoder", &ModelSpec::conv_encoder, "conv-encoder"},
    {"conv_decoder", &ModelSpec::conv_decoder, "conv-decoder"},
    {"conv_code", &ModelSpec::conv_code, "conv-code"},
    {"tied", &ModelSpec::tied, "tied"},
    {"noise", &ModelSpec::noise, "noise"},
    {"noise_level", &ModelSpec::noise_level, "noise"},  // --noise KIND:LEVEL sets both
    {"l1", &ModelSpec::l1, "l1"},
    {"kl_rho", &ModelSpec::kl_rho, "kl-rho"},
    {"kl_beta", &ModelSpec::kl_beta, "kl-beta"},
    {"contractive", &ModelSpec::contractive, "contractive"},
    {"k_sparse", &ModelSpec::k_sparse, "k"},
    {"variational", &ModelSpec::variational, ""},
    {"beta", &ModelSpec::beta, "beta"},
    {"conditional", &ModelSpec::conditional, "conditional"},
    {"classes", &ModelSpec::classes, ""},
    {"weight_decay", &ModelSpec::weight_decay, "weight-decay"},
    {"decay_biases", &ModelSpec::decay_biases, "decay-biases"},
};

// A value as to_text writes it.
std::string print(const std::string& v) { return v; }
std::string print(std::int64_t v) { return std::to_string(v); }
std::string print(double v) { return fmt(v); }
std::string print(bool v) { return v ? "1" : "0"; }
std::string print(Activation v) { return to_string(v); }
std::string print(Loss v) { return to_string(v); }
std::string print(Noise v) { return to_string(v); }
std::string print(const std::vector<std::int64_t>& v) { return join(v); }
std::string print(const std::vector<ConvLayer>& v) { return to_text(v); }

// A value as parse_spec reads it; throws std::invalid_argument naming the key.
double parse_number(const std::string& key, const std::string& val) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(val, &used);
  } catch (...) {
    used = 0;
  }
  if (used != val.size() || val.empty()) throw std::invalid_argument(key + " = '" + val + "' is not a number");
  return v;
}
std::int64_t parse_integer(const std::string& key, const std::string& val) {
  const double v = parse_number(key, val);
  // Range first: converting a double outside int64 (or NaN) is undefined.
  if (!(v >= -9.0e18 && v <= 9.0e18) || v != std::floor(v)) throw std::invalid_argument(key + " must be a whole number");
  return static_cast<std::int64_t>(v);
}
void parse(const std::string&, const std::string& val, std::string& out) { out = val; }
void parse(const std::string& key, const std::string& val, std::int64_t& out) { out = parse_integer(key, val); }
void parse(const std::string& key, const std::string& val, double& out) { out = parse_number(key, val); }
void parse(const std::string& key, const std::string& val, bool& out) { out = parse_integer(key, val) != 0; }
void parse(const std::string&, const std::string& val, Activation& out) { out = parse_activation(val); }
void parse(const std::string&, const std::string& val, Loss& out) { out = parse_loss(val); }
void parse(const std::string&, const std::string& val, Noise& out) { out = parse_noise(val); }
void parse(const std::string& key, const std::string& val, std::vector<std::int64_t>& out) { out = split_ints(key, val); }
void parse(const std::string&, const std::string& val, std::vector<ConvLayer>& out) { out = parse_conv_layers(val); }

}  // namespace

std::vector<std::string> spec_options() {
  std::vector<std::string> r;
  for (const SpecField& f : kFields)
    if (*f.option && std::find(r.begin(), r.end(), f.option) == r.end()) r.emplace_back(f.option);
  return r;
}

std::string to_text(const ModelSpec& s) {
  std::string text;
  for (const SpecField& f : kFields)
    text += std::string(f.key) + " = " + std::visit([&](auto m) { return print(s.*m); }, f.member) + "\n";
  return text;
}

ModelSpec parse_spec(const std::string& text) {
  ModelSpec s;
  std::istringstream is(text);
  std::string line;
  int lineno = 0;
  auto trim = [](std::string v) {
    const auto b = v.find_first_not_of(" \t\r");
    const auto e = v.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  };
  while (std::getline(is, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("spec line " + std::to_string(lineno) + ": expected 'key = value', got '" + line + "'");
    const std::string key = trim(line.substr(0, eq)), val = trim(line.substr(eq + 1));
    try {
      const SpecField* field = nullptr;
      for (const SpecField& f : kFields)
        if (key == f.key) field = &f;
      if (!field) throw std::invalid_argument("unknown key '" + key + "'");
      std::visit([&](auto m) { parse(key, val, s.*m); }, field->member);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("spec line " + std::to_string(lineno) + ": " + e.what());
    }
  }
  validate(s);
  return s;
}

void validate(const ModelSpec& s) {
  auto fail = [&](const std::string& m) { throw std::invalid_argument("model '" + s.recipe + "': " + m); };
  if (s.features <= 0) fail("features must be positive");
  if (s.code <= 0) fail("code size must be positive");
  if (!s.image_shape.empty() && s.image_shape.size() != 3) fail("image_shape must be C,H,W");
  std::int64_t image_values = 0;  // C*H*W, or -1 past int64 (sizes from a file are untrusted)
  if (!s.image_shape.empty() &&
      (__builtin_mul_overflow(s.image_shape[0], s.image_shape[1], &image_values) ||
       __builtin_mul_overflow(image_values, s.image_shape[2], &image_values)))
    image_values = -1;
  if (!s.image_shape.empty() && image_values != s.features)
    fail("image_shape " + join(s.image_shape) + " does not hold " + std::to_string(s.features) + " features");
  if (s.loss == Loss::BCE && s.output != Activation::Sigmoid)
    fail("BCE needs sigmoid outputs (got " + to_string(s.output) + ")");
  // Written so that NaN fails too (every comparison with NaN is false).
  if (!(s.noise_level >= 0) || !std::isfinite(s.noise_level)) fail("noise level must be a finite number >= 0, got " + fmt(s.noise_level));
  if ((s.noise == Noise::Masking || s.noise == Noise::SaltPepper) && s.noise_level >= 1)
    fail("a noise rate must be below 1");
  for (const auto& [name, w] : {std::pair<const char*, double>{"l1", s.l1}, {"kl_beta", s.kl_beta}, {"contractive", s.contractive},
                                 {"beta", s.beta}, {"weight_decay", s.weight_decay}})
    if (!(w >= 0) || !std::isfinite(w))
      fail(std::string("penalty weights must be finite numbers >= 0; ") + name + " is " + fmt(w));
  if (s.kl_beta > 0) {
    if (!(s.kl_rho > 0 && s.kl_rho < 1)) fail("KL sparsity needs a target rate rho in (0, 1)");
    if (s.variational) fail("KL sparsity does not apply to a variational code");
    if (!s.conv_code && s.code_activation != Activation::Sigmoid)
      fail("KL sparsity needs a sigmoid code (rates in (0,1)); the code is " + to_string(s.code_activation));
  }
  if (s.contractive > 0) {
    if (!s.hidden.empty()) fail("the contractive penalty is for one-layer encoders (hidden must be empty)");
    if (s.variational) fail("the contractive penalty does not apply to a variational encoder");
    const Activation a = s.code_activation;
    if (a != Activation::Sigmoid && a != Activation::Tanh && a != Activation::Relu && a != Activation::Identity)
      fail("the contractive penalty supports sigmoid, tanh, relu or identity codes, not " + to_string(a));
  }
  if (s.k_sparse < 0 || s.k_sparse > s.code) fail("k must be between 1 and the code size " + std::to_string(s.code));
  if (s.k_sparse > 0 && s.variational) fail("k-sparse codes do not apply to a variational code");
  if (s.tied && s.variational) fail("tied weights do not apply to a variational model (mu/logvar heads)");
  if (s.tied && !s.mirror_decoder) fail("tied weights need a mirrored decoder");
  if (s.conditional && !s.variational) fail("the conditional form is for the variational model");
  if (s.conditional && s.classes < 2) fail("a conditional model needs at least 2 classes");
  validate_conv(s, fail);
}

}  // namespace aeg::zoo
