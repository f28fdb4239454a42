// A deep, tied, denoising autoencoder built by hand from the zoo's layers and
// trained by the library's trainer (aegraph::train): epochs over an HDF5
// dataset, a checkpoint each epoch, then reloaded, evaluated, scored per image
// (aegraph::analysis) and pictured.
//   z = f(W_2 f(W_1 x~ + b_1) + b_2),  x_hat = sigmoid(W_1^T f(W_2^T z + b_3) + b_4)
#include <aegraph/analysis/anomaly.hpp>
#include <aegraph/engine/ops.hpp>
#include <aegraph/io/batch_reader.hpp>
#include <aegraph/io/dataset.hpp>
#include <aegraph/train/evaluate.hpp>
#include <aegraph/train/image_grid.hpp>
#include <aegraph/train/model_state.hpp>
#include <aegraph/train/trainer.hpp>
#include <aegraph/zoo/layers.hpp>
#include <cstdio>
#include <string>
using namespace aeg;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const std::string data = dir + "/bars-deep.h5", ckpt = dir + "/bars-deep-model.h5", png = dir + "/bars-deep-recon.png";
  constexpr int side = 8, features = side * side;

  // 8x8 images of one horizontal and one vertical bar; 500 to train on, 100 to test.
  auto bars = [](int rows, int offset) {
    io::SplitData s;
    for (int i = offset; i < offset + rows; ++i)
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) s.u8.push_back(y == i % side || x == (i / side) % side ? 255 : 0);
    return s;
  };
  io::DatasetFormat format;  // uint8 pixels, scale 255
  format.sample_shape = {1, side, side};
  const io::SplitData train_rows = bars(500, 0), test_rows = bars(100, 7);
  io::write_dataset(data, format, train_rows, &test_rows);

  // What the trainer checks data against and reports by: 64 features in [0, 1], BCE, a code of 12.
  zoo::ModelSpec interface;
  interface.features = features;
  interface.image_shape = {1, side, side};
  interface.code = 12;
  interface.loss = zoo::Loss::BCE;
  interface.output = Activation::Sigmoid;
  const train::ModelDef model = train::ModelDef::hand_built(
      "bars-deep-tied-dae", interface, [](std::int64_t batch, const zoo::BuildOptions& o) {
        auto m = std::make_unique<zoo::Model>();
        Graph& g = m->graph;
        m->x = g.input("x", {batch, features});
        m->target = o.separate_target ? g.input("target", {batch, features}) : m->x;
        const zoo::TargetRange pixels{0, 1, "", ""};
        Var noisy = zoo::corrupt(m->x, zoo::Noise::Masking, 0.2, pixels);
        const zoo::Dense e1 = zoo::dense(g, "enc0", features, 32), e2 = zoo::dense(g, "enc1", 32, 12);
        m->code = relu(e2(relu(e1(noisy))));
        Var h = relu(zoo::tied(e2, m->code, g.param("dec0/b", {32}, Init::zeros())));
        m->logits = zoo::tied(e1, h, g.param("dec1/b", {features}, Init::zeros()));
        m->recon = sigmoid(m->logits);
        m->recon_loss = m->loss = bce_with_logits(m->logits, m->target);
        return m;
      });

  train::TrainConfig config;
  config.data = data;
  config.out = ckpt;
  config.epochs = 30;
  config.batch = 32;  // 500 rows: 15 batches of 32 and one of 20 each epoch
  config.lr = 1e-2;
  config.quiet = true;
  const train::TrainResult r = train::fit(model, config);
  std::printf("trained %lld epochs: train loss %.3f, test loss %.3f\n", static_cast<long long>(r.epochs_run),
              r.last_train_loss, r.last_test_loss);

  // Reloaded by the program that built it (the file alone cannot rebuild the graph).
  train::LoadedModel back = train::load_model(ckpt, model);
  io::BatchReader test(data, "test", 100, {.shuffle = false});
  const train::Metrics m = train::evaluate(back.def, back.params, test, {.batch = 100, .threads = 1});
  std::printf("reloaded: test loss %.3f (BCE per pixel %.4f) over %lld images\n", m.loss, m.bce_px,
              static_cast<long long>(m.samples));

  const io::SplitArrays shown = io::load_split(data, "test", 8);
  const std::vector<float> rec = train::reconstruct(back.def, back.params, shown.x.ptr(), {}, 8, {.batch = 8, .threads = 1});
  Tensor<float> grid({16, 1, side, side});
  for (int i = 0; i < 8 * features; ++i) grid[i] = shown.x.data[static_cast<std::size_t>(i)], grid[i + 8 * features] = rec[static_cast<std::size_t>(i)];
  train::write_image_grid(png, grid, 2, 8);
  // Each image's reconstruction error (aegraph::analysis): the anomaly score of a one-class model.
  const analysis::SampleErrors err = analysis::per_sample_errors(shown.x.ptr(), rec.data(), 8, features);
  float worst = 0;
  for (float e : err.mse) worst = e > worst ? e : worst;
  std::printf("per-image MSE of the 8 shown: worst %.4f\n", worst);
  if (m.loss != r.last_test_loss || !(m.bce_px < 0.25) || !(worst < 0.05)) {
    std::printf("FAILED: the reloaded model evaluates differently, or did not learn the bars\n");
    return 1;
  }
  std::printf("ok: %s, %s, %s\n", data.c_str(), ckpt.c_str(), png.c_str());
}
