#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <cstring>

#include "engine/executor.hpp"
#include "engine/optim.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/model.hpp"

using namespace aeg;
using namespace aeg::zoo;

namespace {

// Small structured data in [0,1]: mixtures of a few smooth prototypes.
Tensor<float> synthetic(std::int64_t n, std::int64_t features, std::uint64_t seed) {
  Rng rng(seed);
  const int protos = 5;
  std::vector<std::vector<double>> p(protos, std::vector<double>(static_cast<std::size_t>(features)));
  for (auto& v : p) {
    const double f = rng.uniform(0.5, 3), ph = rng.uniform(0, 6.28);
    for (std::int64_t j = 0; j < features; ++j)
      v[static_cast<std::size_t>(j)] = 0.5 + 0.45 * std::sin(f * static_cast<double>(j) / 8.0 + ph);
  }
  Tensor<float> t({n, features});
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& a = p[rng.below(protos)];
    const auto& b = p[rng.below(protos)];
    const double w = rng.uniform();
    for (std::int64_t j = 0; j < features; ++j)
      t[i * features + j] = static_cast<float>(w * a[static_cast<std::size_t>(j)] + (1 - w) * b[static_cast<std::size_t>(j)]);
  }
  return t;
}

// Dense recipes shrink to 8x8 images; conv recipes keep the 28x28 their layers fit.
ModelSpec small(const std::string& name) {
  ModelSpec s = recipe(name);
  if (!s.conv_encoder.empty()) return s;
  s.features = 64;
  s.image_shape = {1, 8, 8};
  return s;
}

void one_hot(float* dst, std::int64_t rows, std::int64_t classes, std::int64_t offset) {
  std::fill(dst, dst + rows * classes, 0.0f);
  for (std::int64_t r = 0; r < rows; ++r) dst[r * classes + (r + offset) % classes] = 1.0f;
}

}  // namespace

TEST_CASE("every recipe builds and its training loss falls", "[zoo]") {
  const std::int64_t n = 512;
  for (const std::string& name : recipe_names()) {
    INFO("recipe " << name);
    // Conv recipes run on 28 x 28 images: fewer, smaller steps keep the test quick.
    const bool conv = !recipe(name).conv_encoder.empty();
    const std::int64_t batch = conv ? 8 : 32;
    const int steps = conv ? 120 : 300;
    auto m = build(small(name), batch);
    const std::int64_t f = m->spec.features;
    const Tensor<float> data = synthetic(n, f, 7);
    // BCE cannot go below the data's own entropy (grey values are not 0 or 1):
    // measure the fall in the excess over that floor.
    double entropy = 0;
    for (float v : data.data) entropy -= v * std::log(double(v)) + (1 - v) * std::log(1 - double(v));
    entropy /= static_cast<double>(n);
    Plan plan = compile(m->graph, {m->loss});
    ParamStore<float> ps;
    Rng rng(3);
    ps.init_from(m->graph, rng);
    Executor<float> ex(plan, ps, {.threads = 2, .seed = 5});
    Adam<float> opt(ps, zoo::adam_options(m->spec, 2e-3));
    std::vector<double> losses;
    for (int step = 0; step < steps; ++step) {
      const std::int64_t off = (step * batch) % n;
      std::memcpy(ex.input_data(m->x), data.ptr() + off * f, sizeof(float) * batch * f);
      if (m->spec.conditional) one_hot(ex.input_data(m->label), batch, m->spec.classes, step);
      opt.zero_grad();
      ex.forward();
      ex.backward();
      opt.step();
      losses.push_back(ex.scalar(m->loss));
    }
    const double floor = m->spec.loss == Loss::BCE ? entropy : 0;
    double first = 0, last = 0;
    for (int i = 0; i < 20; ++i) first += losses[static_cast<std::size_t>(i)], last += losses[losses.size() - 1 - static_cast<std::size_t>(i)];
    first = first / 20 - floor;
    last = last / 20 - floor;
    INFO("excess over the floor " << floor << ": first 20 steps " << first << ", last 20 steps " << last);
    CHECK(std::isfinite(last));
    // 10 %: beta-VAE's beta = 4 holds its reconstructions near the mean image
    // (it falls 16 % here); every other recipe falls by more than half.
    CHECK(last < 0.9 * first);
  }
}

TEST_CASE("a spec round-trips through text and rebuilds the same graph", "[zoo]") {
  for (const std::string& name : recipe_names()) {
    INFO("recipe " << name);
    ModelSpec s = small(name);
    s.noise = Noise::Gaussian;
    s.noise_level = 0.3;
    if (s.variational || s.contractive > 0 || s.k_sparse > 0 || s.kl_beta > 0) s.noise = Noise::None;
    s.decay_biases = false;  // not the default, so the text must carry it
    const ModelSpec back = parse_spec(to_text(s));
    CHECK(to_text(back) == to_text(s));
    auto a = build(s, 8), b = build(back, 8);
    Plan pa = compile(a->graph, {a->recon}, {.grads = false}), pb = compile(b->graph, {b->recon}, {.grads = false});
    ParamStore<float> ps;
    Rng rng(1);
    ps.init_from(a->graph, rng);
    Executor<float> ea(pa, ps, {.seed = 9}), eb(pb, ps, {.seed = 9});
    const Tensor<float> x = synthetic(8, s.features, 2);
    ea.set_input(a->x, x);
    eb.set_input(b->x, x);
    if (s.conditional) {
      one_hot(ea.input_data(a->label), 8, s.classes, 0);
      one_hot(eb.input_data(b->label), 8, s.classes, 0);
    }
    ea.forward();
    eb.forward();
    CHECK(ea.value(a->recon).data == eb.value(b->recon).data);
  }
}

TEST_CASE("tied weights are one parameter whose gradient sums both uses", "[zoo]") {
  ModelSpec tied = small("tied");
  ModelSpec untied = tied;
  untied.tied = false;
  auto mt = build(tied, 16), mu = build(untied, 16);
  ParamStore<double> pt, pu;
  Rng rng(4);
  pt.init_from(mt->graph, rng);
  CHECK_FALSE(pt.contains("dec0/W"));
  // The untied copy starts with dec0/W = enc0/W^T and the same biases.
  const auto& we = pt.at("enc0/W").value;
  Tensor<double> wd({we.shape[1], we.shape[0]});
  for (std::int64_t i = 0; i < we.shape[0]; ++i)
    for (std::int64_t j = 0; j < we.shape[1]; ++j) wd[j * we.shape[0] + i] = we[i * we.shape[1] + j];
  pu.add("enc0/W", we);
  pu.add("enc0/b", pt.at("enc0/b").value);
  pu.add("dec0/W", wd);
  pu.add("dec0/b", pt.at("dec0/b").value);
  const Tensor<float> xf = synthetic(16, 64, 3);
  const Tensor<double> x = tensor_cast<double>(xf);
  Plan plt = compile(mt->graph, {mt->loss}), plu = compile(mu->graph, {mu->loss});
  Executor<double> et(plt, pt), eu(plu, pu);
  et.set_input(mt->x, x);
  eu.set_input(mu->x, x);
  et.forward(), eu.forward();
  CHECK(et.scalar(mt->loss) == Approx(eu.scalar(mu->loss)).epsilon(1e-12));
  et.backward(), eu.backward();
  const auto& gt = pt.at("enc0/W").grad;
  const auto& ge = pu.at("enc0/W").grad;
  const auto& gd = pu.at("dec0/W").grad;
  double worst = 0;
  for (std::int64_t i = 0; i < we.shape[0]; ++i)
    for (std::int64_t j = 0; j < we.shape[1]; ++j)
      worst = std::max(worst, std::abs(gt[i * we.shape[1] + j] - (ge[i * we.shape[1] + j] + gd[j * we.shape[0] + i])));
  CHECK(worst < 1e-10);
}

TEST_CASE("corruption is on in training plans and off in evaluation plans", "[zoo]") {
  ModelSpec s = small("denoising");
  auto m = build(s, 16);
  ParamStore<float> ps;
  Rng rng(2);
  ps.init_from(m->graph, rng);
  ModelSpec clean = s;
  clean.noise = Noise::None;
  auto mc = build(clean, 16);
  const Tensor<float> x = synthetic(16, 64, 5);
  auto run = [&](Model& model, bool training) {
    Plan p = compile(model.graph, {model.recon}, {.grads = false, .training = training});
    Executor<float> ex(p, ps, {.seed = 1});
    ex.set_input(model.x, x);
    ex.forward();
    return ex.value(model.recon).data;
  };
  CHECK(run(*m, false) == run(*mc, false));
  CHECK(run(*m, true) != run(*mc, false));
}

TEST_CASE("a k-sparse code has exactly k non-zeros per sample", "[zoo]") {
  ModelSpec s = small("k-sparse");
  s.code = 100;
  s.k_sparse = 7;
  auto m = build(s, 16);
  ParamStore<float> ps;
  Rng rng(2);
  ps.init_from(m->graph, rng);
  Plan p = compile(m->graph, {m->code}, {.grads = false});
  Executor<float> ex(p, ps);
  ex.set_input(m->x, synthetic(16, 64, 8));
  ex.forward();
  const auto code = ex.value(m->code);
  for (std::int64_t r = 0; r < 16; ++r) {
    int nz = 0;
    for (std::int64_t j = 0; j < 100; ++j) nz += code[r * 100 + j] != 0.0f;
    CHECK(nz == 7);
  }
}

TEST_CASE("nonsensical combinations are refused with a clear message", "[zoo]") {
  using Catch::Matchers::Contains;
  ModelSpec s = recipe("undercomplete");
  s.kl_beta = 3;
  s.kl_rho = 0.1;
  CHECK_THROWS_WITH(validate(s), Contains("KL sparsity needs a sigmoid code"));
  s = recipe("deep");
  s.contractive = 0.1;
  CHECK_THROWS_WITH(validate(s), Contains("one-layer encoders"));
  s = recipe("undercomplete");
  s.conditional = true;
  CHECK_THROWS_WITH(validate(s), Contains("conditional"));
  s = recipe("k-sparse");
  s.k_sparse = 5000;
  CHECK_THROWS_WITH(validate(s), Contains("k must be"));
  // NaN and infinite or negative weights and noise levels: every comparison with NaN is false.
  for (double bad : {std::nan(""), -0.5, std::numeric_limits<double>::infinity()}) {
    s = recipe("undercomplete");
    s.l1 = bad;
    CHECK_THROWS_WITH(validate(s), Contains("penalty weights must be finite numbers >= 0; l1 is"));
    s = recipe("vae");
    s.beta = bad;
    CHECK_THROWS_WITH(validate(s), Contains("beta is"));
    s = recipe("undercomplete");
    s.weight_decay = bad;
    CHECK_THROWS_WITH(validate(s), Contains("weight_decay is"));
    s = recipe("denoising");
    s.noise_level = bad;
    CHECK_THROWS_WITH(validate(s), Contains("noise level must be a finite number >= 0"));
  }
  CHECK_THROWS_WITH(recipe("nope"), Contains("unknown model 'nope'"));
  CHECK_THROWS_WITH(parse_spec("code = -3\n"), Contains("code size must be positive"));
  CHECK_THROWS_WITH(parse_spec("code = 3.5\n"), Contains("spec line 1") && Contains("whole number"));
  CHECK_THROWS_WITH(parse_spec("colour = blue\n"), Contains("unknown key 'colour'"));
}
