#include "zoo/spec.hpp"

#include "zoo/conv_recipes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace aeg::zoo {

namespace {

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

std::vector<std::int64_t> split_ints(const std::string& key, const std::string& s) {
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
    if (used != item.size() || v <= 0)
      throw std::invalid_argument("spec: " + key + " = '" + s + "' must be a list of positive integers");
    r.push_back(v);
  }
  return r;
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

std::string to_string(Activation a) {
  switch (a) {
    case Activation::Identity: return "identity";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Tanh: return "tanh";
    case Activation::Relu: return "relu";
    case Activation::LeakyRelu: return "leaky_relu";
    case Activation::Elu: return "elu";
    case Activation::Softplus: return "softplus";
  }
  return "?";
}

std::pair<double, double> value_range(Activation a) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (a) {
    case Activation::Sigmoid: return {0, 1};
    case Activation::Tanh: return {-1, 1};
    case Activation::Relu:
    case Activation::Softplus: return {0, inf};
    case Activation::Elu: return {-1, inf};
    case Activation::Identity:
    case Activation::LeakyRelu: return {-inf, inf};
  }
  return {-inf, inf};
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
  for (Activation a : {Activation::Identity, Activation::Sigmoid, Activation::Tanh, Activation::Relu,
                       Activation::LeakyRelu, Activation::Elu, Activation::Softplus})
    if (to_string(a) == s) return a;
  if (s == "linear" || s == "none") return Activation::Identity;
  throw std::invalid_argument("unknown activation '" + s +
                              "' (expected identity, sigmoid, tanh, relu, leaky_relu, elu or softplus)");
}

std::string to_string(Noise n) {
  switch (n) {
    case Noise::None: return "none";
    case Noise::Masking: return "masking";
    case Noise::Gaussian: return "gaussian";
    case Noise::SaltPepper: return "salt-pepper";
  }
  return "?";
}

Noise parse_noise(const std::string& s) {
  for (Noise n : {Noise::None, Noise::Masking, Noise::Gaussian, Noise::SaltPepper})
    if (to_string(n) == s) return n;
  if (s == "salt_pepper" || s == "saltpepper") return Noise::SaltPepper;
  throw std::invalid_argument("unknown noise '" + s + "' (expected none, masking, gaussian or salt-pepper)");
}

std::vector<std::int64_t> ModelSpec::decoder_sizes() const {
  if (!mirror_decoder) return decoder_hidden;
  return {hidden.rbegin(), hidden.rend()};
}

std::vector<std::int64_t> ModelSpec::conv_code_shape() const {
  if (conv_encoder.empty()) return {};
  return conv_shapes(image_shape, conv_encoder).back();
}

std::string to_text(const ModelSpec& s) {
  std::ostringstream os;
  os << "recipe = " << s.recipe << "\n"
     << "features = " << s.features << "\n"
     << "image_shape = " << join(s.image_shape) << "\n"
     << "hidden = " << join(s.hidden) << "\n"
     << "code = " << s.code << "\n"
     << "activation = " << to_string(s.activation) << "\n"
     << "code_activation = " << to_string(s.code_activation) << "\n"
     << "mirror_decoder = " << (s.mirror_decoder ? 1 : 0) << "\n"
     << "decoder_hidden = " << join(s.decoder_hidden) << "\n"
     << "output = " << to_string(s.output) << "\n"
     << "loss = " << (s.loss == Loss::BCE ? "bce" : "mse") << "\n"
     << "conv_encoder = " << to_text(s.conv_encoder) << "\n"
     << "conv_decoder = " << to_text(s.conv_decoder) << "\n"
     << "conv_code = " << (s.conv_code ? 1 : 0) << "\n"
     << "tied = " << (s.tied ? 1 : 0) << "\n"
     << "noise = " << to_string(s.noise) << "\n"
     << "noise_level = " << fmt(s.noise_level) << "\n"
     << "l1 = " << fmt(s.l1) << "\n"
     << "kl_rho = " << fmt(s.kl_rho) << "\n"
     << "kl_beta = " << fmt(s.kl_beta) << "\n"
     << "contractive = " << fmt(s.contractive) << "\n"
     << "k_sparse = " << s.k_sparse << "\n"
     << "variational = " << (s.variational ? 1 : 0) << "\n"
     << "beta = " << fmt(s.beta) << "\n"
     << "conditional = " << (s.conditional ? 1 : 0) << "\n"
     << "classes = " << s.classes << "\n"
     << "weight_decay = " << fmt(s.weight_decay) << "\n"
     << "decay_biases = " << (s.decay_biases ? 1 : 0) << "\n";
  return os.str();
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
    auto num = [&]() {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(val, &used);
      } catch (...) {
        used = 0;
      }
      if (used != val.size() || val.empty())
        throw std::invalid_argument("spec line " + std::to_string(lineno) + ": " + key + " = '" + val + "' is not a number");
      return v;
    };
    auto integer = [&]() {
      const double v = num();
      // Range first: converting a double outside int64 (or NaN) is undefined.
      if (!(v >= -9.0e18 && v <= 9.0e18) || v != std::floor(v))
        throw std::invalid_argument("spec line " + std::to_string(lineno) + ": " + key + " must be a whole number");
      return static_cast<std::int64_t>(v);
    };
    auto flag = [&]() { return integer() != 0; };
    try {
      if (key == "recipe") s.recipe = val;
      else if (key == "features") s.features = integer();
      else if (key == "image_shape") s.image_shape = split_ints(key, val);
      else if (key == "hidden") s.hidden = split_ints(key, val);
      else if (key == "code") s.code = integer();
      else if (key == "activation") s.activation = parse_activation(val);
      else if (key == "code_activation") s.code_activation = parse_activation(val);
      else if (key == "mirror_decoder") s.mirror_decoder = flag();
      else if (key == "decoder_hidden") s.decoder_hidden = split_ints(key, val);
      else if (key == "output") s.output = parse_activation(val);
      else if (key == "loss") {
        if (val == "bce") s.loss = Loss::BCE;
        else if (val == "mse") s.loss = Loss::MSE;
        else throw std::invalid_argument("loss = '" + val + "' (expected bce or mse)");
      } else if (key == "conv_encoder") s.conv_encoder = parse_conv_layers(val);
      else if (key == "conv_decoder") s.conv_decoder = parse_conv_layers(val);
      else if (key == "conv_code") s.conv_code = flag();
      else if (key == "tied") s.tied = flag();
      else if (key == "noise") s.noise = parse_noise(val);
      else if (key == "noise_level") s.noise_level = num();
      else if (key == "l1") s.l1 = num();
      else if (key == "kl_rho") s.kl_rho = num();
      else if (key == "kl_beta") s.kl_beta = num();
      else if (key == "contractive") s.contractive = num();
      else if (key == "k_sparse") s.k_sparse = integer();
      else if (key == "variational") s.variational = flag();
      else if (key == "beta") s.beta = num();
      else if (key == "conditional") s.conditional = flag();
      else if (key == "classes") s.classes = integer();
      else if (key == "weight_decay") s.weight_decay = num();
      else if (key == "decay_biases") s.decay_biases = flag();
      else throw std::invalid_argument("unknown key '" + key + "'");
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      if (m.rfind("spec line", 0) == 0) throw;
      throw std::invalid_argument("spec line " + std::to_string(lineno) + ": " + m);
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

ModelSpec recipe(const std::string& name) { return recipe(name, 784, {1, 28, 28}); }

ModelSpec recipe(const std::string& name, std::int64_t features, const std::vector<std::int64_t>& image_shape) {
  ModelSpec s;
  s.recipe = name;
  s.features = features;
  s.image_shape = image_shape;
  auto one_layer = [&](std::int64_t code, Activation a) {
    s.hidden = {};
    s.code = code;
    s.activation = s.code_activation = a;
  };
  if (name == "shallow") one_layer(64, Activation::Sigmoid);
  else if (name == "undercomplete") one_layer(32, Activation::Relu);
  else if (name == "tied") { one_layer(32, Activation::Relu); s.tied = true; }
  else if (name == "deep") { s.hidden = {128, 64}; s.code = 32; }
  else if (name == "sparse-l1") { one_layer(32, Activation::Relu); s.l1 = 0.0784; }
  else if (name == "sparse-kl") {
    one_layer(196, Activation::Sigmoid);
    s.loss = Loss::MSE;
    s.kl_rho = 0.1;
    s.kl_beta = 3;
    s.weight_decay = 3e-3;
    s.decay_biases = false;  // UFLDL's lambda/2 sum W^2: decaying the biases too misses the reference by 4.5 %
  } else if (name == "denoising") {
    one_layer(256, Activation::Sigmoid);
    s.noise = Noise::Masking;
    s.noise_level = 0.25;
  } else if (name == "contractive") { one_layer(256, Activation::Sigmoid); s.contractive = 0.1; }
  else if (name == "linear") {
    one_layer(32, Activation::Identity);
    s.output = Activation::Identity;
    s.loss = Loss::MSE;
  } else if (name == "vae" || name == "beta-vae" || name == "cvae") {
    s.hidden = {400};
    s.code = 20;
    s.variational = true;
    if (name == "beta-vae") s.beta = 4;
    if (name == "cvae") s.conditional = true;
  } else if (name == "vae-2d") {
    s.hidden = {256};
    s.code = 2;
    s.variational = true;
  } else if (name == "k-sparse") {
    one_layer(1000, Activation::Identity);
    s.tied = true;
    s.k_sparse = 25;
    s.output = Activation::Identity;
    s.loss = Loss::MSE;
  } else if (is_conv_recipe(name)) {
    fit_conv_recipe(s, name, s.image_shape);
  } else {
    std::string all;
    for (const auto& r : recipe_names()) all += (all.empty() ? "" : ", ") + r;
    throw std::invalid_argument("unknown model '" + name + "' (known: " + all + ")");
  }
  validate(s);
  return s;
}

std::vector<std::string> recipe_names() {
  return {"shallow", "undercomplete", "tied", "deep", "sparse-l1", "sparse-kl", "denoising",
          "contractive", "linear", "vae", "beta-vae", "cvae", "vae-2d", "k-sparse",
          "conv", "conv-strided", "conv-pool", "conv-denoise", "conv-vae"};
}

}  // namespace aeg::zoo
