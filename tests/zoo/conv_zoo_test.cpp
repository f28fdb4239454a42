// Convolutional blocks in the zoo: their text form, the shapes the recipes promise,
// refusals, and a whole-model gradient check of a small conv autoencoder.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/executor.hpp"
#include "engine/gradcheck.hpp"
#include "zoo/model.hpp"

using namespace aeg;
using namespace aeg::zoo;
using Catch::Matchers::Contains;

namespace {

std::vector<std::int64_t> code_shape(const std::string& name) { return recipe(name).conv_code_shape(); }

}  // namespace

TEST_CASE("conv layers read and write the documented tokens", "[zoo][conv]") {
  const auto l = parse_conv_layers("conv16-k3-s2-p1-relu, convt8-k5-s2-p2-op1-sigmoid,maxpool2-ceil,avgpool3-s2,up2,conv4");
  REQUIRE(l.size() == 6);
  CHECK(l[0].kind == ConvLayer::Kind::Conv);
  CHECK((l[0].channels == 16 && l[0].kernel == 3 && l[0].stride == 2 && l[0].padding == 1));
  CHECK(l[0].activation == Activation::Relu);
  CHECK(l[1].kind == ConvLayer::Kind::ConvTranspose);
  CHECK((l[1].channels == 8 && l[1].kernel == 5 && l[1].padding == 2 && l[1].output_padding == 1));
  CHECK(l[1].activation == Activation::Sigmoid);
  CHECK((l[2].kind == ConvLayer::Kind::MaxPool && l[2].kernel == 2 && l[2].ceil_mode));
  CHECK((l[3].kind == ConvLayer::Kind::AvgPool && l[3].kernel == 3 && l[3].stride == 2 && !l[3].ceil_mode));
  CHECK((l[4].kind == ConvLayer::Kind::Upsample && l[4].kernel == 2));
  // Defaults: kernel 3, stride 1, padding 0, ReLU.
  CHECK((l[5].kernel == 3 && l[5].stride == 1 && l[5].padding == 0 && l[5].activation == Activation::Relu));
  CHECK(to_text(parse_conv_layers(to_text(l))) == to_text(l));
  CHECK(to_text(l) == "conv16-k3-s2-p1-relu,convt8-k5-s2-p2-op1-sigmoid,maxpool2-ceil,avgpool3-s2,up2,conv4-k3-s1-p0-relu");

  CHECK_THROWS_WITH(parse_conv_layers("conv16-q3"), Contains("conv layer 'conv16-q3'") && Contains("'q3'"));
  CHECK_THROWS_WITH(parse_conv_layers("pool2"), Contains("unknown kind"));
  CHECK_THROWS_WITH(parse_conv_layers("conv0"), Contains("missing size"));
  CHECK_THROWS_WITH(parse_conv_layers("up2-s2"), Contains("'s2' is not understood"));
  CHECK_THROWS_WITH(parse_conv_layers("conv8-k0"), Contains("kernel must be at least 1"));
}

TEST_CASE("conv recipes have the codes and output shapes their designs give", "[zoo][conv]") {
  CHECK(code_shape("conv") == std::vector<std::int64_t>{64, 7, 7});
  CHECK(code_shape("conv-strided") == std::vector<std::int64_t>{8, 7, 7});
  CHECK(code_shape("conv-pool") == std::vector<std::int64_t>{8, 4, 4});  // 7 -> 4 by ceil mode
  CHECK(code_shape("conv-denoise") == std::vector<std::int64_t>{32, 7, 7});
  CHECK(recipe("conv-strided").code == 392);
  CHECK(recipe("conv-pool").code == 128);
  CHECK(recipe("conv").code == 32);
  for (const std::string name : {"conv", "conv-strided", "conv-pool", "conv-denoise", "conv-vae"}) {
    INFO(name);
    auto m = build(recipe(name), 3);
    CHECK(m->x.shape() == Shape{3, 784});
    CHECK(m->recon.shape() == Shape{3, 784});
    CHECK(m->code.shape() == Shape{3, m->spec.code});
    auto d = build_decoder(recipe(name), 2);
    CHECK(d->recon.shape() == Shape{2, 784});
  }
  // W3's parameters: two convs, the dense code and back, two transposed convs.
  auto w3 = build(recipe("conv"), 1);
  std::int64_t params = 0;
  for (int i = 0; i < w3->graph.size(); ++i)
    if (w3->graph.node(i).kind == NodeKind::Param) params += numel(w3->graph.node(i).shape);
  CHECK(params == (32 * 9 + 32) + (64 * 32 * 9 + 64) + (3136 * 32 + 32) + (32 * 3136 + 3136) + (64 * 32 * 9 + 32) +
                      (32 * 9 + 1));
}

TEST_CASE("conv specs that do not fit are refused, naming the layer", "[zoo][conv]") {
  ModelSpec s = recipe("conv-strided");
  s.tied = true;
  CHECK_THROWS_WITH(validate(s), Contains("tied weights are for dense layers"));
  s = recipe("conv-strided");
  s.code = 100;
  CHECK_THROWS_WITH(validate(s), Contains("gives 8,7,7 = 392 code units, but code = 100"));
  s = recipe("conv-strided");
  s.conv_decoder.pop_back();
  CHECK_THROWS_WITH(validate(s), Contains("ends in 16,28,28, not the image shape 1,28,28"));
  s = recipe("conv-pool");
  s.image_shape = {1, 8, 8};
  s.features = 64;
  CHECK_THROWS_WITH(validate(s), Contains("gives 8,1,1 = 8 code units"));
  s = recipe("conv");
  s.conv_encoder = parse_conv_layers("conv8-k31");
  CHECK_THROWS_WITH(validate(s), Contains("conv layer 0 (conv8-k31-s1-p0-relu) on a 1x28x28 input"));
  s = recipe("conv");
  s.image_shape.clear();
  CHECK_THROWS_WITH(validate(s), Contains("need an image shape"));
  s = recipe("conv");
  s.conv_encoder.clear();
  CHECK_THROWS_WITH(validate(s), Contains("a conv decoder needs a conv encoder"));
  s = recipe("conv");
  s.conv_decoder.push_back(parse_conv_layers("maxpool1")[0]);
  CHECK_THROWS_WITH(validate(s), Contains("must end in a conv or convt layer"));
  s = recipe("conv-vae");
  s.conditional = true;
  CHECK_THROWS_WITH(validate(s), Contains("conditional"));
  CHECK_THROWS_WITH(parse_spec("conv_encoder = conv8-x\n"), Contains("spec line 1") && Contains("conv8-x"));
}

TEST_CASE("a small conv autoencoder built by the zoo passes the gradient check", "[zoo][conv]") {
  // 6x6 images: conv + max-pool down to 3x3x3, a dense code of 4, and back up through
  // upsampling, a transposed conv and a conv; smooth activations keep away from kinks.
  for (const bool variational : {false, true}) {
    INFO("variational " << variational);
    ModelSpec s;
    s.features = 36;
    s.image_shape = {1, 6, 6};
    s.conv_encoder = parse_conv_layers("conv3-k3-s1-p1-tanh,maxpool2");
    s.conv_decoder = parse_conv_layers("up2,convt2-k3-s1-p1-op0-tanh,conv1-k3-s1-p1");
    s.code = 4;
    s.activation = s.code_activation = Activation::Tanh;
    s.variational = variational;
    auto m = build(s, 2);
    ParamStore<double> ps;
    Rng rng(4);
    ps.init_from(m->graph, rng);
    Tensor<double> x({2, 36});
    for (auto& v : x.data) v = rng.uniform(0.05, 0.95);
    GradcheckOptions o;
    o.seed = 11;
    const GradcheckReport r = gradcheck(m->graph, m->loss, {{m->x, x}}, ps, o);
    INFO(r.message());
    CHECK(r.ok);
    CHECK(r.checked == ps.count());
  }
}

TEST_CASE("a strided conv code works with the sparse and denoising options", "[zoo][conv]") {
  ModelSpec s = recipe("conv-strided");
  s.l1 = 0.01;
  s.noise = Noise::Masking;
  s.noise_level = 0.3;
  s.k_sparse = 50;
  auto m = build(s, 4);
  REQUIRE(m->penalties.size() == 1);
  CHECK(m->penalties[0].name == "l1");
  const Plan plan = compile(m->graph, {m->loss, m->code});
  ParamStore<float> ps;
  Rng rng(2);
  ps.init_from(m->graph, rng);
  Executor<float> ex(plan, ps, {.seed = 3});
  float* x = ex.input_data(m->x);
  for (int i = 0; i < 4 * 784; ++i) x[i] = static_cast<float>(rng.uniform());
  ex.forward();
  ex.backward();
  const Tensor<float>& code = ex.value(m->code);
  for (int r = 0; r < 4; ++r) {
    int nz = 0;
    for (int j = 0; j < 392; ++j) nz += code[r * 392 + j] != 0.0f;
    CHECK(nz <= 50);
  }
  CHECK(std::isfinite(ex.scalar(m->loss)));
}
