// HDF5 and PNG through aegraph::io: writes a dataset of 8x8 bar images, trains a
// tied autoencoder on it in shuffled batches read back from the file, saves a
// checkpoint, reloads it into a fresh ParamStore (the same loss, to the bit), and
// draws images over their reconstructions. Files go to the folder given (or /tmp).
#include <aegraph/engine/executor.hpp>
#include <aegraph/engine/ops.hpp>
#include <aegraph/engine/optim.hpp>
#include <aegraph/io/batch_reader.hpp>
#include <aegraph/io/checkpoint.hpp>
#include <aegraph/io/dataset.hpp>
#include <aegraph/io/png.hpp>
#include <cstdio>
#include <string>
using namespace aeg;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const std::string data = dir + "/bars.h5", ckpt = dir + "/bars-model.h5", png = dir + "/bars-recon.png";
  constexpr int side = 8, rows = 512, batch = 32, code = 16;

  // Each image: one horizontal and one vertical bar, at positions from the row number.
  io::SplitData train;
  for (int i = 0; i < rows; ++i)
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) train.u8.push_back(y == i % side || x == (i / side) % side ? 255 : 0);
  io::DatasetFormat format;  // uint8, scale 255
  format.sample_shape = {1, side, side};
  io::write_dataset(data, format, train);

  Graph g;
  Var x = g.input("x", {batch, side * side});
  Var W = g.param("W", {code, side * side}, Init::glorot_uniform());
  Var b_e = g.param("b_e", {code}, Init::zeros()), b_d = g.param("b_d", {side * side}, Init::zeros());
  Var logits = matmul(sigmoid(linear(x, W, b_e)), W) + b_d;
  Var loss = bce_with_logits(logits, x);
  Var recon = sigmoid(logits);
  ParamStore<float> params;
  Rng rng(3);
  params.init_from(g, rng);
  Executor<float> ex(compile(g, {loss}), params);
  Adam<float> adam(params, {.lr = 3e-2});

  io::BatchReader reader(data, "train", batch, {.seed = 5});
  io::Batch b;
  double epoch_loss = 0;
  for (int epoch = 0; epoch < 15; ++epoch) {
    reader.start_epoch(epoch);
    epoch_loss = 0;
    while (reader.next(b)) {
      ex.bind_input(x, b.x);  // zero copy; a short last batch would be refused (its size is checked)
      adam.zero_grad();
      ex.forward();
      ex.backward();
      adam.step();
      epoch_loss += ex.scalar(loss) / reader.batches_per_epoch();
    }
    if (epoch % 5 == 0 || epoch == 14) std::printf("epoch %2d  BCE per image %.3f\n", epoch, epoch_loss);
  }

  io::Checkpoint ck;
  ck.spec = "tied 64-16-64, examples/dataset_checkpoint.cpp";  // opaque to io: what rebuilds the graph
  for (std::size_t i = 0; i < params.size(); ++i) ck.params.emplace_back(params[i].name, params[i].value);
  io::save_checkpoint(ckpt, ck);

  ParamStore<float> reloaded;
  for (auto& [name, t] : io::load_checkpoint(ckpt).params) reloaded.add(name, t);
  Executor<float> a(compile(g, {loss, recon}, {.grads = false}), params);
  Executor<float> r(compile(g, {loss, recon}, {.grads = false}), reloaded);
  a.bind_input(x, b.x);
  r.bind_input(x, b.x);
  a.forward();
  r.forward();
  std::printf("last batch: BCE %.4f with the trained parameters, %.4f reloaded\n", a.scalar(loss), r.scalar(loss));
  if (a.scalar(loss) != r.scalar(loss) || !(epoch_loss < 20)) {
    std::printf("FAILED: the reloaded model differs, or training did not converge\n");
    return 1;
  }

  Tensor<float> grid({16, side, side});  // 8 images over their reconstructions
  const float* out = r.value_data(recon);
  for (int i = 0; i < 8 * side * side; ++i) grid[i] = b.x[static_cast<std::size_t>(i)], grid[i + 8 * side * side] = out[i];
  io::write_png_grid(png, grid, 2, 8);
  const io::PngImage im = io::read_png(png);
  std::printf("ok: %s, %s, %s (%dx%d)\n", data.c_str(), ckpt.c_str(), png.c_str(), im.width, im.height);
}
