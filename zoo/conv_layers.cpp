#include "zoo/conv_layers.hpp"

#include <sstream>
#include <stdexcept>

#include "engine/activation.hpp"

namespace aeg::zoo {

namespace {

using Kind = ConvLayer::Kind;

const char* prefix(Kind k) {
  switch (k) {
    case Kind::Conv: return "conv";
    case Kind::ConvTranspose: return "convt";
    case Kind::MaxPool: return "maxpool";
    case Kind::AvgPool: return "avgpool";
    case Kind::Upsample: return "up";
  }
  return "?";
}

// Bounds on a token's numbers, far above any real layer: they keep every shape
// and parameter count the engine works out from them within int64.
constexpr std::int64_t kMaxChannels = 1 << 16, kMaxKernel = 1 << 12, kMaxOffset = 1 << 16;

// Digits to a number; more than nine digits read as 10^9, above every bound.
std::int64_t digits_value(const std::string& digits) {
  return digits.size() > 9 ? 1'000'000'000 : std::stoll(digits);
}

// "k3" -> 3 for letter(s) `key`; false if `part` does not start with them.
bool keyed(const std::string& part, const std::string& key, std::int64_t& v) {
  if (part.size() <= key.size() || part.compare(0, key.size(), key) != 0) return false;
  const std::string digits = part.substr(key.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return false;
  v = digits_value(digits);
  return true;
}

// "k3x4" -> 3, 4 and "k3" -> 3, 3 for letter(s) `key`.
bool keyed_pair(const std::string& part, const std::string& key, std::int64_t& a, std::int64_t& b) {
  const auto x = part.find('x');
  if (x == std::string::npos) {
    if (!keyed(part, key, a)) return false;
    b = a;
    return true;
  }
  const std::string second = part.substr(x + 1);
  if (second.empty() || second.find_first_not_of("0123456789") != std::string::npos) return false;
  if (!keyed(part.substr(0, x), key, a)) return false;
  b = digits_value(second);
  return true;
}

std::string pair_text(std::int64_t a, std::int64_t b) {
  return a == b ? std::to_string(a) : std::to_string(a) + "x" + std::to_string(b);
}

std::string token_text(const ConvLayer& l) {
  std::string t = prefix(l.kind);
  switch (l.kind) {
    case Kind::Conv:
    case Kind::ConvTranspose:
      t += std::to_string(l.channels) + "-k" + pair_text(l.kernel, l.kernel_width()) + "-s" +
           std::to_string(l.stride) + "-p" + std::to_string(l.padding);
      if (l.kind == Kind::ConvTranspose) t += "-op" + pair_text(l.output_padding, l.output_padding_width());
      return t + "-" + std::string(activation_info(l.activation).name);
    case Kind::MaxPool:
    case Kind::AvgPool:
      t += std::to_string(l.kernel);
      if (l.stride != 0 && l.stride != l.kernel) t += "-s" + std::to_string(l.stride);
      return l.ceil_mode ? t + "-ceil" : t;
    case Kind::Upsample: return t + std::to_string(l.kernel);
  }
  return t;
}

ConvLayer parse_token(const std::string& token) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("conv layer '" + token + "': " + why +
                                 " (expected e.g. conv16-k3-s2-p1-relu, convt8-k3-s2-p1-op1-relu, maxpool2-ceil, "
                                 "avgpool2, up2)");
  };
  std::vector<std::string> parts;
  std::stringstream ss(token);
  std::string p;
  while (std::getline(ss, p, '-')) parts.push_back(p);
  if (parts.empty() || parts[0].empty()) throw bad("empty");
  ConvLayer l;
  l.stride = 0;
  std::int64_t head = 0;
  // Longest prefixes first: "convt" before "conv".
  bool found = false;
  for (Kind k : {Kind::ConvTranspose, Kind::Conv, Kind::MaxPool, Kind::AvgPool, Kind::Upsample}) {
    if (keyed(parts[0], prefix(k), head)) {
      l.kind = k;
      found = true;
      break;
    }
  }
  if (!found || head < 1) throw bad("unknown kind or missing size");
  const bool conv = l.has_weights();
  if (conv) {
    l.channels = head;
    l.stride = 1;
  } else {
    l.kernel = head;
  }
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string& q = parts[i];
    std::int64_t v = 0, v2 = 0;
    if (conv && keyed_pair(q, "k", v, v2)) {
      if (v < 1 || v2 < 1) throw bad("the kernel must be at least 1");  // k3x0 is not k3
      l.kernel = v;
      l.kernel_w = v2 == v ? 0 : v2;
    } else if (l.kind == Kind::ConvTranspose && keyed_pair(q, "op", v, v2)) {
      l.output_padding = v;
      l.output_padding_w = v2 == v ? -1 : v2;
    }
    else if (conv && keyed(q, "p", v)) l.padding = v;
    else if (l.kind != Kind::Upsample && keyed(q, "s", v)) l.stride = v;
    else if ((l.kind == Kind::MaxPool || l.kind == Kind::AvgPool) && q == "ceil") l.ceil_mode = true;
    else if (conv) {
      const auto a = find_activation(q);
      if (!a)
        throw bad("'" + q + "' is neither k<N>, s<N>, p<N>" + std::string(l.kind == Kind::ConvTranspose ? ", op<N>" : "") +
                  " nor an activation");
      l.activation = *a;
    } else {
      throw bad("'" + q + "' is not understood here");
    }
  }
  if (l.kernel < 1 || l.kernel_width() < 1) throw bad("the kernel must be at least 1");
  if (conv && l.stride < 1) throw bad("the stride must be at least 1");
  if (l.channels > kMaxChannels) throw bad("at most " + std::to_string(kMaxChannels) + " channels");
  if (l.kernel > kMaxKernel || l.kernel_width() > kMaxKernel)
    throw bad(std::string(conv ? "the kernel" : l.kind == Kind::Upsample ? "the factor" : "the window") + " must be at most " +
              std::to_string(kMaxKernel));
  if (l.stride > kMaxOffset || l.padding > kMaxOffset || l.output_padding > kMaxOffset ||
      l.output_padding_width() > kMaxOffset)
    throw bad("strides and paddings must be at most " + std::to_string(kMaxOffset));
  return l;
}

}  // namespace

std::string to_text(const std::vector<ConvLayer>& layers) {
  std::string t;
  for (std::size_t i = 0; i < layers.size(); ++i) t += (i ? "," : "") + token_text(layers[i]);
  return t;
}

std::vector<ConvLayer> parse_conv_layers(const std::string& text) {
  std::vector<ConvLayer> layers;
  std::stringstream ss(text);
  std::string token;
  while (std::getline(ss, token, ',')) {
    const auto b = token.find_first_not_of(" \t");
    const auto e = token.find_last_not_of(" \t");
    if (b == std::string::npos) continue;
    layers.push_back(parse_token(token.substr(b, e - b + 1)));
  }
  return layers;
}

Var apply_conv_layer(Var x, const ConvLayer& l, const std::string& name, bool with_activation) {
  Graph& g = x.graph();
  switch (l.kind) {
    case Kind::Conv:
    case Kind::ConvTranspose: {
      const std::int64_t in = x.shape().at(1), k = l.kernel, kw = l.kernel_width();
      const std::int64_t op = l.output_padding, opw = l.output_padding_width();
      const bool t = l.kind == Kind::ConvTranspose;
      // PyTorch's fan_in is weight.size(1) * kh * kw: in_channels for a conv, out_channels
      // for a transposed conv (its weight is (in, out, kh, kw)).
      const Init init = Init::torch_default((t ? l.channels : in) * k * kw);
      Var w = g.param(name + "/W", t ? Shape{in, l.channels, k, kw} : Shape{l.channels, in, k, kw}, init);
      Var b = g.param(name + "/b", {l.channels}, init);
      if (with_activation && l.activation == Activation::Relu)  // one op: see conv2d_relu
        return (t ? conv_transpose2d_relu(x, w, b, l.stride, l.padding, op, opw)
                  : conv2d_relu(x, w, b, l.stride, l.padding))
            .named(name + "/h");
      Var a = t ? conv_transpose2d(x, w, b, l.stride, l.padding, op, opw) : conv2d(x, w, b, l.stride, l.padding);
      a.named(name + "/a");
      return with_activation ? activate(a, l.activation).named(name + "/h") : a;
    }
    case Kind::MaxPool: return max_pool2d(x, l.kernel, l.stride, l.ceil_mode).named(name + "/pool");
    case Kind::AvgPool: return avg_pool2d(x, l.kernel, l.stride, l.ceil_mode).named(name + "/pool");
    case Kind::Upsample: return upsample2d(x, l.kernel).named(name + "/up");
  }
  return x;
}

std::vector<std::vector<std::int64_t>> conv_shapes(const std::vector<std::int64_t>& in,
                                                   const std::vector<ConvLayer>& layers) {
  if (in.size() != 3) throw std::invalid_argument("conv layers need an image shape C,H,W");
  Graph g;
  Var h = g.input("x", {1, in[0], in[1], in[2]});
  std::vector<std::vector<std::int64_t>> shapes;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const ConvLayer& l = layers[i];
    const Shape s = h.shape();  // a copy: adding nodes may move the graph's storage
    try {
      if (l.has_weights() && l.channels < 1) throw std::invalid_argument("needs at least one output channel");
      h = apply_conv_layer(h, l, "layer" + std::to_string(i));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("conv layer " + std::to_string(i) + " (" + token_text(l) + ") on a " +
                                  std::to_string(s[1]) + "x" + std::to_string(s[2]) + "x" + std::to_string(s[3]) +
                                  " input: " + e.what());
    }
    shapes.push_back({h.shape()[1], h.shape()[2], h.shape()[3]});
  }
  return shapes;
}

}  // namespace aeg::zoo
