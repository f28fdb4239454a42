// Real-valued data through the apps: MSE models with an identity output take
// any finite values, BCE refuses them naming the way out, and a scaling (from
// ae-import --scale or ae-train --standardize) is applied on the way in and
// inverted on the way out.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

#include "train/trainer.hpp"
#include "io/arrays.hpp"
#include "io/batch_reader.hpp"
#include "io/checkpoint.hpp"
#include "io/dataset.hpp"
#include "tests/apps/support.hpp"
#include "tests/io/helpers.hpp"

using Catch::Matchers::Contains;
using namespace aeg;
using namespace aeg::test;

namespace {

constexpr std::int64_t kFeatures = 6;

// Rows on a 2-D plane in 6 dimensions plus a little noise, with features of very
// different offsets and sizes (like tabular data: 0.001 to thousands), labels 0/1.
void make_real_dataset(const std::string& path, std::int64_t n, double nan_at = -1) {
  Rng rng(5);
  const double offset[kFeatures] = {4254, -3, 0.0008, 17, 100, -250};
  const double size[kFeatures] = {900, 0.5, 0.0003, 40, 1, 80};
  io::DatasetFormat fmt;
  fmt.sample_shape = {kFeatures};
  fmt.dtype = io::DType::float32;
  fmt.labels = true;
  auto split = [&](std::int64_t rows) {
    io::SplitData d;
    for (std::int64_t i = 0; i < rows; ++i) {
      const double a = rng.normal(), b = rng.normal();
      for (std::int64_t j = 0; j < kFeatures; ++j) {
        const double v = std::sin(1.0 + static_cast<double>(j)) * a + std::cos(2.0 * static_cast<double>(j)) * b + 0.05 * rng.normal();
        d.f32.push_back(static_cast<float>(offset[j] + size[j] * v));
      }
      d.labels.push_back(a > 0 ? 1 : 0);
    }
    return d;
  };
  io::SplitData train = split(n), test = split(n / 4);
  if (nan_at < 0) return io::write_dataset(path, fmt, train, &test);
  // The writer refuses NaN: such a file comes from elsewhere (h5py, say).
  test.f32[static_cast<std::size_t>(nan_at)] = static_cast<float>(NAN);
  iotest::RawH5 f(path);
  f.put_f32("/train/x", {static_cast<hsize_t>(n), kFeatures}, train.f32);
  f.put_f32("/test/x", {static_cast<hsize_t>(n / 4), kFeatures}, test.f32);
}

double mean_squared(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
  return s / static_cast<double>(a.size());
}

// A number in the JSON object ae-eval prints on a line of its own.
double json_number(const std::string& out, const std::string& key) {
  const auto line = out.find('{');
  REQUIRE(line != std::string::npos);
  const auto j = nlohmann::json::parse(out.substr(line, out.find('\n', line) - line));
  REQUIRE(j.contains(key));
  return j.at(key).get<double>();
}

}  // namespace

TEST_CASE("real-valued data train and evaluate with MSE and an identity output", "[apps][real]") {
  TempDir dir;
  make_real_dataset(dir / "r.h5", 400);
  const std::string data = " --data " + (dir / "r.h5");
  const Run t = run(kTrain + data + " --model linear --code 2 --standardize --epochs 30 --batch 20 --lr 0.01 --quiet --out " +
                    (dir / "lin.h5"));
  INFO(t.out);
  REQUIRE(t.code == 0);
  const Run e = run(kEval + " --checkpoint " + (dir / "lin.h5") + data + " --json --reconstructions " + (dir / "rec.h5"));
  INFO(e.out);
  REQUIRE(e.code == 0);
  // Two directions hold the data: a 2-unit linear code reconstructs it to about the noise.
  const double scaled = json_number(e.out, "mse_px"), unscaled = json_number(e.out, "mse_px_unscaled");
  CHECK(scaled < 0.02);

  // The checkpoint holds the training split's own statistics.
  const io::FeatureScaling s = io::load_checkpoint(dir / "lin.h5").scaling;
  REQUIRE(s.method == io::ScaleMethod::Standard);
  const io::SplitArrays raw_train = io::load_split(dir / "r.h5", "train");
  io::ScalingFit fit(kFeatures);
  for (std::int64_t i = 0; i < raw_train.x.shape[0]; ++i) fit.add(raw_train.x.ptr() + i * kFeatures);
  const io::FeatureScaling expected = fit.finish(io::ScaleMethod::Standard);
  for (std::size_t j = 0; j < kFeatures; ++j) {
    CHECK(s.offset[j] == Approx(expected.offset[j]).epsilon(1e-12));
    CHECK(s.scale[j] == Approx(expected.scale[j]).epsilon(1e-12));
  }

  // The reconstructions come back in the data's own units, and their error there is ae-eval's unscaled MSE.
  const Tensor<float> x_hat = io::read_float_array(dir / "rec.h5", "/x_hat");
  const io::SplitArrays raw_test = io::load_split(dir / "r.h5", "test");
  REQUIRE(x_hat.shape == raw_test.x.shape);
  CHECK(mean_squared(x_hat.data, raw_test.x.data) == Approx(unscaled).epsilon(1e-3));
  CHECK(unscaled > 100 * scaled);  // the large features dominate in the data's units
  double m0 = 0;
  for (std::int64_t i = 0; i < x_hat.shape[0]; ++i) m0 += x_hat[i * kFeatures];
  CHECK(m0 / static_cast<double>(x_hat.shape[0]) == Approx(4254).epsilon(0.1));
}

TEST_CASE("BCE on real-valued data is refused with the way out", "[apps][real]") {
  TempDir dir;
  make_real_dataset(dir / "r.h5", 100);
  const std::string data = " --data " + (dir / "r.h5") + " --epochs 1 --batch 20 --quiet --out " + (dir / "m.h5");
  Run r = run(kTrain + data + " --model shallow");
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("ae-train: " + (dir / "r.h5") + ": BCE needs targets in [0, 1]; this file has ") &&
                        Contains("at /t") && Contains("x row ") && Contains(" column ") &&
                        Contains(": use --loss mse --output identity, or rescale"));
  // Standardized, the values still leave [0, 1]: the check is of what the model is fed.
  r = run(kTrain + data + " --model shallow --standardize");
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("BCE needs targets in [0, 1]; this file has ") && Contains("(after scaling)"));
  // MSE with a sigmoid output cannot reach them either.
  r = run(kTrain + data + " --model sparse-kl");
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("a sigmoid output reaches only [0, 1]") && Contains("use --output identity, or rescale"));
  CHECK_FALSE(std::filesystem::exists(dir / "m.h5"));
  // The same recipes with an identity output train.
  r = run(kTrain + data + " --model shallow --loss mse --output identity --standardize");
  INFO(r.out);
  CHECK(r.code == 0);
}

TEST_CASE("NaN in real-valued data is refused naming row and column", "[apps][real]") {
  TempDir dir;
  make_real_dataset(dir / "nan.h5", 100, 7 * kFeatures + 4);
  const Run r = run(kTrain + " --data " + (dir / "nan.h5") + " --model linear --epochs 1 --batch 20 --quiet --out " + (dir / "m.h5"));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains((dir / "nan.h5") + ": /test/x row 7 column 4 has value nan, expected a finite number"));
}

TEST_CASE("every dense recipe trains on real-valued data with --loss mse --output identity", "[apps][real]") {
  TempDir dir;
  make_real_dataset(dir / "r.h5", 64);
  for (const std::string name : {"shallow", "undercomplete", "tied", "deep", "sparse-l1", "sparse-kl", "denoising",
                                 "contractive", "linear", "vae", "beta-vae", "cvae", "vae-2d", "k-sparse"}) {
    INFO(name);
    zoo::ModelSpec spec = zoo::recipe(name);
    spec.loss = zoo::Loss::MSE;
    spec.output = Activation::Identity;
    if (spec.k_sparse > 0) spec.k_sparse = 2;
    if (name == "denoising") {  // Gaussian noise, not clipped to [0, 1] for real data
      spec.noise = zoo::Noise::Gaussian;
      spec.noise_level = 0.3;
    }
    if (spec.code > 4) spec.code = 4;
    if (!spec.hidden.empty()) spec.hidden = {8};
    train::TrainConfig c;
    c.data = dir / "r.h5";
    c.out = dir / (name + ".h5");
    c.epochs = 1;
    c.batch = 16;
    c.threads = 1;
    c.quiet = true;
    c.standardize = true;
    const train::TrainResult r = train::fit(spec, c);
    CHECK(r.epochs_run == 1);
    CHECK(std::isfinite(r.last_test_loss));
  }
}

TEST_CASE("the file's scaling is the model's, and --standardize is for files without one", "[apps][real]") {
  TempDir dir;
  std::ofstream csv(dir / "r.csv");
  csv << "a,b,label,c\n";
  Rng rng(3);
  for (int i = 0; i < 200; ++i) {
    const double t = rng.normal();
    csv << 1000 + 300 * t << "," << -0.002 * t + 0.0001 * rng.normal() << "," << (t > 0) << "," << 50 + rng.normal() << "\n";
  }
  csv.close();
  const Run imp = run(std::string(AE_IMPORT_EXE) + " --csv " + (dir / "r.csv") + " --label-column label --scale standard" +
                      " --test-fraction 0.2 --seed 4 --out " + (dir / "r.h5"));
  INFO(imp.out);
  REQUIRE(imp.code == 0);
  CHECK_THAT(imp.out, Contains("scaling: standard"));
  const std::string base = kTrain + " --data " + (dir / "r.h5") + " --model linear --code 1 --epochs 2 --batch 20 --quiet --out ";
  REQUIRE(run(base + (dir / "m.h5")).code == 0);
  CHECK(io::load_checkpoint(dir / "m.h5").scaling == io::describe(dir / "r.h5").scaling);
  Run r = run(base + (dir / "s.h5") + " --standardize");
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains((dir / "r.h5") + ": the file is already scaled") && Contains("drop --standardize"));
  r = run(kTrain + " --data " + (dir / "r.h5") + " --resume --standardize --epochs 3 --quiet --out " + (dir / "m.h5"));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("--resume keeps the checkpoint's own scaling"));

  // ae-encode works on the scaled data: a 1-unit linear code of a standardized file is centred near 0.
  r = run(kEncode + " --checkpoint " + (dir / "m.h5") + " --data " + (dir / "r.h5") + " --out " + (dir / "codes.h5"));
  REQUIRE(r.code == 0);
  const Tensor<float> codes = io::read_float_array(dir / "codes.h5", "/codes");
  double m = 0;
  for (float v : codes.data) m += v;
  CHECK(std::abs(m / static_cast<double>(codes.data.size())) < 2);
}

TEST_CASE("ae-generate writes a VAE's samples of real data in the data's own units", "[apps][real]") {
  TempDir dir;
  make_real_dataset(dir / "r.h5", 200);
  REQUIRE(run(kTrain + " --data " + (dir / "r.h5") + " --model vae --hidden 16 --code 2 --loss mse --output identity" +
              " --standardize --epochs 2 --batch 20 --quiet --out " + (dir / "v.h5"))
              .code == 0);
  Run r = run(kGenerate + " --checkpoint " + (dir / "v.h5") + " --sample 16 --out " + (dir / "s.h5"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  const Tensor<float> x = io::read_float_array(dir / "s.h5", "/x");
  REQUIRE(x.shape == Shape{16, kFeatures});
  double m0 = 0, m5 = 0;
  for (std::int64_t i = 0; i < 16; ++i) {
    m0 += x[i * kFeatures] / 16.0;
    m5 += x[i * kFeatures + 5] / 16.0;
  }
  CHECK(m0 == Approx(4254).epsilon(0.5));  // the scaling inverted: thousands, not values near 0
  CHECK(m5 == Approx(-250).epsilon(0.8));
  r = run(kGenerate + " --checkpoint " + (dir / "v.h5") + " --sample 16 --out " + (dir / "s.png"));
  CHECK(r.code != 0);
  CHECK_THAT(r.out, Contains("no image shape") && Contains(".h5"));
}

TEST_CASE("ae-eval --anomaly on real-valued data scores by MSE only", "[apps][real]") {
  TempDir dir;
  make_real_dataset(dir / "r.h5", 200);
  REQUIRE(run(kTrain + " --data " + (dir / "r.h5") + " --model linear --code 2 --standardize --only-class 1 --epochs 3" +
              " --batch 20 --quiet --out " + (dir / "a.h5"))
              .code == 0);
  const std::string eval = kEval + " --checkpoint " + (dir / "a.h5") + " --data " + (dir / "r.h5") + " --anomaly " + (dir / "e.h5") +
                           " --normal-class 1";
  Run r = run(eval);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("AUROC, class 1 against the rest, scored by mse: ") && !Contains("bce"));
  CHECK(io::read_float_array(dir / "e.h5", "/mse").shape == Shape{50});
  CHECK_THROWS(io::read_float_array(dir / "e.h5", "/bce"));  // BCE of real values means nothing
  r = run(eval + " --score bce");
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("--score bce is for data in [0, 1]"));
}
