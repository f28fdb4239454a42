// The `undercomplete` recipe (784-32 ReLU, sigmoid out, BCE summed per sample,
// batch mean; Adam 1e-3, batch 256, shuffled, last partial batch kept) in libtorch,
// over several seeds: how far the reference figure moves with the seed, and how many
// code units die. A measuring tool beside aegraph, not part of it.
//   undercomplete --data DIR [--epochs 50] [--seeds 1,2,3] [--threads 1] [--drop-last 1] [--l1 0.0784]
// --l1: the `sparse-l1` recipe, lambda * sum |code| per sample added to the summed BCE.
// --lockstep N --dump DIR: seed's first seed only; writes the initial parameters to DIR/init.bin,
// trains N steps on the training images in file order (no shuffling), prints each step's loss
// and writes the parameters to DIR/final.bin (float32: enc W 32x784, enc b, dec W 784x32, dec b),
// so that another implementation can start from the same numbers and be compared step by step.
// DIR holds the decompressed IDX files of Fashion-MNIST. One JSON line per seed.
#include <torch/torch.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::uint32_t be32(std::ifstream& f) {
  unsigned char b[4];
  f.read(reinterpret_cast<char*>(b), 4);
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
}

torch::Tensor read_images(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  if (be32(f) != 2051) throw std::runtime_error(path + ": not an IDX3 image file");
  const std::uint32_t n = be32(f), rows = be32(f), cols = be32(f);
  std::vector<std::uint8_t> buf(std::size_t(n) * rows * cols);
  f.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
  if (!f) throw std::runtime_error(path + ": short read");
  return torch::from_blob(buf.data(), {std::int64_t(n), std::int64_t(rows * cols)}, torch::kUInt8)
      .to(torch::kFloat32)
      .div_(255.0f);
}

struct Net : torch::nn::Module {
  torch::nn::Linear enc{nullptr}, dec{nullptr};
  Net() {
    enc = register_module("enc", torch::nn::Linear(784, 32));
    dec = register_module("dec", torch::nn::Linear(32, 784));
  }
  torch::Tensor code(const torch::Tensor& x) { return torch::relu(enc(x)); }
  torch::Tensor forward(const torch::Tensor& x) { return torch::sigmoid(dec(code(x))); }
};

void dump(const std::string& path, Net& net) {
  std::ofstream f(path, std::ios::binary);
  for (const auto& t : {net.enc->weight, net.enc->bias, net.dec->weight, net.dec->bias}) {
    const auto c = t.contiguous();
    f.write(reinterpret_cast<const char*>(c.data_ptr<float>()), static_cast<std::streamsize>(c.numel() * sizeof(float)));
  }
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = arg(argc, argv, "data", "");
  const int epochs = std::stoi(arg(argc, argv, "epochs", "50"));
  const int threads = std::stoi(arg(argc, argv, "threads", "1"));
  torch::set_num_threads(threads);
  // OpenBLAS keeps its own threads; left at the core count they wait on each other
  // when the cores are busy (10x slower here), so give it the same count.
  using set_fn = void (*)(int);
  if (auto f = reinterpret_cast<set_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(threads);
  std::vector<int> seeds;
  std::stringstream ss(arg(argc, argv, "seeds", "1"));
  for (std::string s; std::getline(ss, s, ',');) seeds.push_back(std::stoi(s));

  const auto train = read_images(dir + "/train-images-idx3-ubyte");
  const auto test = read_images(dir + "/t10k-images-idx3-ubyte");
  const std::int64_t N = train.size(0), B = 256;
  // 1: skip each epoch's last partial batch (DataLoader's drop_last), as aegraph's trainer does.
  const bool drop_last = arg(argc, argv, "drop-last", "0") == "1";
  const double l1 = std::stod(arg(argc, argv, "l1", "0"));
  if (const int steps = std::stoi(arg(argc, argv, "lockstep", "0")); steps > 0) {
    const std::string dir = arg(argc, argv, "dump", ".");
    torch::manual_seed(seeds.at(0));
    Net net;
    torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(1e-3));
    dump(dir + "/init.bin", net);
    for (int step = 0; step < steps; ++step) {
      const auto x = train.narrow(0, (step * B) % (N - B + 1), B);
      opt.zero_grad();
      const auto h = net.code(x);
      auto loss = torch::binary_cross_entropy(torch::sigmoid(net.dec(h)), x, {}, torch::Reduction::Sum) / B;
      if (l1 > 0) loss = loss + l1 * h.abs().sum() / B;
      loss.backward();
      opt.step();
      std::printf("step %d loss %.6f\n", step + 1, loss.item<double>());
    }
    dump(dir + "/final.bin", net);
    torch::NoGradGuard no_grad;
    std::printf("dead code units on the test set: %lld\n",
                static_cast<long long>((net.code(test).amax(0) <= 0).sum().item<std::int64_t>()));
    return 0;
  }
  for (int seed : seeds) {
    torch::manual_seed(seed);
    Net net;
    torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(1e-3));
    for (int ep = 1; ep <= epochs; ++ep) {
      const auto shuffled = train.index_select(0, torch::randperm(N, torch::kLong));
      for (std::int64_t i = 0; i < (drop_last ? N - B + 1 : N); i += B) {
        const auto x = shuffled.narrow(0, i, std::min(B, N - i));
        opt.zero_grad();
        const auto h = net.code(x);
        auto loss = torch::binary_cross_entropy(torch::sigmoid(net.dec(h)), x, {}, torch::Reduction::Sum) / x.size(0);
        if (l1 > 0) loss = loss + l1 * h.abs().sum() / x.size(0);
        loss.backward();
        opt.step();
      }
    }
    torch::NoGradGuard no_grad;
    const auto h = net.code(test);
    const double bce = torch::binary_cross_entropy(net.forward(test), test, {}, torch::Reduction::Sum).item<double>();
    const std::int64_t dead = (h.amax(0) <= 0).sum().item<std::int64_t>();
    const double mean_code = h.mean().item<double>();
    std::printf("{\"impl\": \"libtorch-%s\", \"seed\": %d, \"epochs\": %d, \"drop_last\": %d, \"l1\": %g, \"test_bce_px\": %.5f, \"mean_code\": %.4f, \"dead_code_units\": %lld}\n",
                TORCH_VERSION, seed, epochs, drop_last ? 1 : 0, l1, bce / (double(test.size(0)) * 784), mean_code,
                static_cast<long long>(dead));
    std::fflush(stdout);
  }
}
