// The conv recipes worked out for the data's image shape: unchanged on 1 x 28 x 28,
// exactly C x H x W back out of the decoder on colour, small and odd-sized images,
// a few training steps on generated pictures, and a clear refusal where a recipe's
// down-sampling leaves nothing.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/executor.hpp"
#include "engine/optim.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/conv_recipes.hpp"
#include "zoo/model.hpp"

using namespace aeg;
using namespace aeg::zoo;
using Catch::Matchers::Contains;

namespace {

using Image = std::vector<std::int64_t>;

// The conv recipes as they were written for 1 x 28 x 28 before they learnt other
// shapes, literally: the README's results come from these layers.
ModelSpec fixed_28(const std::string& name) {
  ModelSpec s;
  s.recipe = name;
  if (name == "conv" || name == "conv-vae") {
    s.conv_encoder = parse_conv_layers("conv32-k3-s2-p1-relu,conv64-k3-s2-p1-relu");
    s.conv_decoder = parse_conv_layers("convt32-k3-s2-p1-op1-relu,convt1-k3-s2-p1-op1");
    s.code = name == "conv" ? 32 : 20;
    s.code_activation = Activation::Identity;
    s.variational = name == "conv-vae";
  } else if (name == "conv-strided") {
    s.conv_encoder = parse_conv_layers("conv16-k3-s2-p1-relu,conv8-k3-s2-p1-relu");
    s.conv_decoder = parse_conv_layers("convt8-k3-s2-p1-op1-relu,convt16-k3-s2-p1-op1-relu,conv1-k3-s1-p1");
    s.conv_code = true;
    s.code = 8 * 7 * 7;
  } else if (name == "conv-pool") {
    s.conv_encoder = parse_conv_layers(
        "conv16-k3-s1-p1-relu,maxpool2,conv8-k3-s1-p1-relu,maxpool2,conv8-k3-s1-p1-relu,maxpool2-ceil");
    s.conv_decoder = parse_conv_layers(
        "conv8-k3-s1-p1-relu,up2,conv8-k3-s1-p1-relu,up2,conv16-k3-s1-p0-relu,up2,conv1-k3-s1-p1");
    s.conv_code = true;
    s.code = 8 * 4 * 4;
  } else if (name == "conv-denoise") {
    s.conv_encoder = parse_conv_layers("conv32-k3-s1-p1-relu,maxpool2,conv32-k3-s1-p1-relu,maxpool2");
    s.conv_decoder = parse_conv_layers("conv32-k3-s1-p1-relu,up2,conv32-k3-s1-p1-relu,up2,conv1-k3-s1-p1");
    s.conv_code = true;
    s.code = 32 * 7 * 7;
    s.noise = Noise::Gaussian;
    s.noise_level = 0.5;
  }
  return s;
}

const char* const kConvRecipes[] = {"conv", "conv-strided", "conv-pool", "conv-denoise", "conv-vae"};

// n pictures of C x H x W in [0, 1]: a soft blob at a random place on random
// stripes, each channel its own mix, so colour and both sides carry structure.
std::vector<float> pictures(std::int64_t n, const Image& im, std::uint64_t seed) {
  Rng rng(seed);
  const std::int64_t C = im[0], H = im[1], W = im[2];
  std::vector<float> x;
  for (std::int64_t i = 0; i < n; ++i) {
    const double cy = rng.uniform(0, H), cx = rng.uniform(0, W), r = 1 + rng.uniform(0, 0.3) * std::min(H, W);
    const double freq = rng.uniform(0.3, 1.2);
    for (std::int64_t c = 0; c < C; ++c) {
      const double blob = rng.uniform(0.4, 1), stripes = rng.uniform(0, 0.4);
      for (std::int64_t y = 0; y < H; ++y)
        for (std::int64_t xx = 0; xx < W; ++xx) {
          const double d2 = ((y - cy) * (y - cy) + (xx - cx) * (xx - cx)) / (r * r);
          const double v = blob * std::exp(-d2) + stripes * (0.5 + 0.5 * std::sin(freq * (xx + (c + 1) * y)));
          x.push_back(static_cast<float>(std::min(1.0, v)));
        }
    }
  }
  return x;
}

// The mean loss over a fixed batch before and after `steps` Adam steps on it.
std::pair<double, double> train_steps(const ModelSpec& spec, std::int64_t batch, int steps) {
  auto m = build(spec, batch);
  const Plan plan = compile(m->graph, {m->loss});
  ParamStore<float> ps;
  Rng rng(5);
  ps.init_from(m->graph, rng);
  Adam<float> opt(ps, adam_options(spec, 3e-3));
  // The same noise draws at every step, so the losses compare the parameters only.
  const std::vector<float> x = pictures(batch, spec.image_shape, 9);
  double first = 0, last = 0;
  for (int s = 0; s <= steps; ++s) {
    Executor<float> ex(plan, ps, {.seed = 3});
    std::copy(x.begin(), x.end(), ex.input_data(m->x));
    opt.zero_grad();
    ex.forward();
    (s == 0 ? first : last) = ex.scalar(m->loss);
    if (s == steps) break;
    ex.backward();
    opt.step();
  }
  return {first, last};
}

}  // namespace

TEST_CASE("the conv recipes on 1 x 28 x 28 are the layers they always were", "[zoo][conv][shapes]") {
  for (const std::string name : kConvRecipes) {
    INFO(name);
    CHECK(to_text(recipe(name)) == to_text(fixed_28(name)));
    CHECK(to_text(recipe(name, 784, {1, 28, 28})) == to_text(fixed_28(name)));
  }
}

TEST_CASE("every conv recipe gives back exactly C x H x W and trains on it", "[zoo][conv][shapes]") {
  for (const Image im : {Image{1, 28, 28}, Image{3, 32, 32}, Image{1, 8, 8}, Image{3, 30, 45}}) {
    const std::int64_t features = im[0] * im[1] * im[2];
    for (const std::string name : kConvRecipes) {
      INFO(name << " on " << im[0] << "x" << im[1] << "x" << im[2]);
      const ModelSpec s = recipe(name, features, im);
      CHECK(s.image_shape == im);
      const auto enc = conv_shapes(im, s.conv_encoder);
      CHECK(conv_shapes(enc.back(), s.conv_decoder).back() == im);
      CHECK(s.conv_decoder.back().channels == im[0]);
      if (s.conv_code) CHECK(s.code == numel(enc.back()));
      const auto [first, last] = train_steps(s, 4, 6);
      CHECK(std::isfinite(first));
      CHECK(last < first);
    }
  }
}

TEST_CASE("an odd and an even side take per-side output padding and trimming kernels", "[zoo][conv][shapes]") {
  // 30 x 45: 30 -> 15 -> 8 and 45 -> 23 -> 12; back up, 15 and 23 are odd (op 0),
  // then 30 is even (op 1) and 45 odd (op 0).
  CHECK(to_text(recipe("conv", 4050, {3, 30, 45}).conv_decoder) ==
        "convt32-k3-s2-p1-op0-relu,convt3-k3-s2-p1-op1x0-relu");
  // conv-pool: 4 x the 4 x 6 code overshoots 15 x 23 by 1 on both sides (a 4x4 kernel
  // trims it), and 2 x 23 = 46 overshoots 45 by one column only (3x4).
  const ModelSpec pool = recipe("conv-pool", 4050, {3, 30, 45});
  CHECK(to_text(pool.conv_encoder) ==
        "conv16-k3-s1-p1-relu,maxpool2-ceil,conv8-k3-s1-p1-relu,maxpool2-ceil,conv8-k3-s1-p1-relu,maxpool2");
  CHECK(to_text(pool.conv_decoder) ==
        "conv8-k3-s1-p1-relu,up2,conv8-k3-s1-p1-relu,up2,conv16-k4-s1-p1-relu,up2,conv3-k3x4-s1-p1-relu");
  CHECK(pool.code == 8 * 4 * 6);
  // The tokens read back as they were written.
  const auto l = parse_conv_layers("convt3-k3x5-s2-p1-op1x0");
  REQUIRE(l.size() == 1);
  CHECK((l[0].kernel == 3 && l[0].kernel_width() == 5 && l[0].output_padding == 1 && l[0].output_padding_width() == 0));
  CHECK(to_text(l) == "convt3-k3x5-s2-p1-op1x0-relu");
  CHECK_THROWS_WITH(parse_conv_layers("conv3-k3x"), Contains("'k3x'"));
  CHECK_THROWS_WITH(validate([] {
                      ModelSpec s = recipe("conv", 64, {1, 8, 8});
                      s.conv_decoder = parse_conv_layers("convt32-k3-s2-p1-op1-relu,convt1-k3-s2-p1-op1x2");
                      return s;
                    }()),
                    Contains("conv decoder") && Contains("output_padding 2"));
}

TEST_CASE("a conv recipe refuses images its down-sampling cannot serve, naming it and the size", "[zoo][conv][shapes]") {
  CHECK_THROWS_WITH(recipe("conv-pool", 16, {1, 4, 4}),
                    Contains("model 'conv-pool'") && Contains("4x4 images are too small") && Contains("at least 5"));
  CHECK_THROWS_WITH(recipe("conv-denoise", 18, {1, 2, 9}),
                    Contains("model 'conv-denoise'") && Contains("2x9 images") && Contains("at least 3"));
  CHECK_THROWS_WITH(recipe("conv", 64, {}), Contains("model 'conv'") && Contains("needs images"));
  CHECK(is_conv_recipe("conv-vae"));
  CHECK_FALSE(is_conv_recipe("vae"));
  // The smallest images each serves still come back whole.
  CHECK(recipe("conv-pool", 25, {1, 5, 5}).conv_decoder.back().channels == 1);
  CHECK(recipe("conv-denoise", 27, {3, 3, 3}).code == 32);
  CHECK(recipe("conv", 1, {1, 1, 1}).features == 1);
}
