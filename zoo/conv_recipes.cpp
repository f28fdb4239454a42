#include "zoo/conv_recipes.hpp"

#include <stdexcept>

#include "zoo/spec.hpp"

namespace aeg::zoo {

namespace {

std::int64_t half_up(std::int64_t n) { return (n + 1) / 2; }

// "1" when both sides agree, else "HxW" (a layer token's k or op).
std::string pair(std::int64_t h, std::int64_t w) {
  return h == w ? std::to_string(h) : std::to_string(h) + "x" + std::to_string(w);
}

// A stride-2, padding-1, 3x3 conv takes n to ceil(n/2); the transposed conv takes
// m back to 2m - 1 + op, so op = 1 brings it to an even n and op = 0 to an odd one.
std::int64_t output_padding(std::int64_t target, std::int64_t from) { return target - (2 * from - 1); }

// Max pooling by 2 that keeps an odd side's last row or column (ceil mode) only
// where the side is odd: an even side pools as before.
std::string pool(std::int64_t h, std::int64_t w) { return (h % 2 || w % 2) ? "maxpool2-ceil" : "maxpool2"; }

// A stride-1 conv that takes an upsampled side back down by `dh` rows and `dw`
// columns (each 0..3): padding 1 and a kernel of 3 + d. With the same even
// overshoot on both sides the plain 3x3 kernel does it by its padding alone (the
// classic p0 "valid" conv of 16 -> 14).
std::string trim(std::int64_t channels, std::int64_t dh, std::int64_t dw, const std::string& act) {
  std::string t = "conv" + std::to_string(channels);
  if (dh == dw && dh % 2 == 0 && dh <= 2) t += "-k3-s1-p" + std::to_string(1 - dh / 2);
  else t += "-k" + pair(3 + dh, 3 + dw) + "-s1-p1";
  return act.empty() ? t : t + "-" + act;
}

void need(const std::string& name, const std::vector<std::int64_t>& image, std::int64_t min, const std::string& why) {
  if (image[1] < min || image[2] < min)
    throw std::invalid_argument("model '" + name + "': " + std::to_string(image[1]) + "x" + std::to_string(image[2]) +
                                " images are too small: " + why + ", so H and W must be at least " + std::to_string(min));
}

}  // namespace

void fit_conv_recipe(ModelSpec& s, const std::string& name, const std::vector<std::int64_t>& image) {
  if (image.size() != 3)
    throw std::invalid_argument("model '" + name + "' is convolutional: it needs images (C,H,W), not flat features");
  const std::int64_t C = image[0], H = image[1], W = image[2];
  const std::string c = std::to_string(C);
  if (name == "conv" || name == "conv-vae" || name == "conv-strided") {
    // Two stride-2 convs: H -> ceil(H/2) -> ceil(H/4); two transposed convs back.
    const std::int64_t h1 = half_up(H), w1 = half_up(W), h2 = half_up(h1), w2 = half_up(w1);
    const std::string op1 = pair(output_padding(h1, h2), output_padding(w1, w2));
    const std::string op2 = pair(output_padding(H, h1), output_padding(W, w1));
    if (name == "conv-strided") {
      s.conv_encoder = parse_conv_layers("conv16-k3-s2-p1-relu,conv8-k3-s2-p1-relu");
      s.conv_decoder = parse_conv_layers("convt8-k3-s2-p1-op" + op1 + "-relu,convt16-k3-s2-p1-op" + op2 +
                                         "-relu,conv" + c + "-k3-s1-p1");
      s.conv_code = true;
      s.code = 8 * h2 * w2;
      return;
    }
    // W3 of bench-models.md: strided convs to 64 x H/4 x W/4, a dense code, transposed convs up.
    s.conv_encoder = parse_conv_layers("conv32-k3-s2-p1-relu,conv64-k3-s2-p1-relu");
    s.conv_decoder = parse_conv_layers("convt32-k3-s2-p1-op" + op1 + "-relu,convt" + c + "-k3-s2-p1-op" + op2);
    s.code = name == "conv" ? 32 : 20;
    s.code_activation = Activation::Identity;
    s.variational = name == "conv-vae";
    return;
  }
  if (name == "conv-pool") {
    // The classic pooling design, 28 -> 14 -> 7 -> 4 (ceil) down and 4 -> 8 -> 16 -> 14
    // (the valid conv) -> 28 up: three halvings down, two doublings to 4x the code,
    // a trimming conv to H/2 rounded up, a doubling, and a last conv trimming an odd side.
    need(name, image, 5, "it pools by 2 three times, the last time a side of at least 2");
    const std::int64_t h1 = half_up(H), w1 = half_up(W), h2 = half_up(h1), w2 = half_up(w1);
    const std::int64_t h3 = half_up(h2), w3 = half_up(w2);
    s.conv_encoder = parse_conv_layers("conv16-k3-s1-p1-relu," + pool(H, W) + ",conv8-k3-s1-p1-relu," + pool(h1, w1) +
                                       ",conv8-k3-s1-p1-relu," + pool(h2, w2));
    s.conv_decoder = parse_conv_layers("conv8-k3-s1-p1-relu,up2,conv8-k3-s1-p1-relu,up2," +
                                       trim(16, 4 * h3 - h1, 4 * w3 - w1, "relu") + ",up2," +
                                       trim(C, 2 * h1 - H, 2 * w1 - W, ""));
    s.conv_code = true;
    s.code = 8 * h3 * w3;
    return;
  }
  if (name == "conv-denoise") {
    // The classic denoising design: two 32-channel conv + pool stages to a 32 x H/4 x W/4
    // code, two conv + upsampling stages back, a last conv trimming what 4x overshoots.
    need(name, image, 3, "it pools by 2 twice, the second time a side of at least 2");
    const std::int64_t h2 = half_up(half_up(H)), w2 = half_up(half_up(W));
    s.conv_encoder = parse_conv_layers("conv32-k3-s1-p1-relu," + pool(H, W) + ",conv32-k3-s1-p1-relu," +
                                       pool(half_up(H), half_up(W)));
    s.conv_decoder = parse_conv_layers("conv32-k3-s1-p1-relu,up2,conv32-k3-s1-p1-relu,up2," +
                                       trim(C, 4 * h2 - H, 4 * w2 - W, ""));
    s.conv_code = true;
    s.code = 32 * h2 * w2;
    s.noise = Noise::Gaussian;
    s.noise_level = 0.5;
    return;
  }
  throw std::invalid_argument("model '" + name + "' is not a convolutional recipe");
}

}  // namespace aeg::zoo
