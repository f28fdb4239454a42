// ae-denoise: corrupt test images with a fixed seed, run them through the
// model, and report PSNR before and after; a PNG shows clean / noisy / denoised rows.
#include <cmath>
#include <iostream>

#include "apps/common/cli.hpp"
#include "train/data_check.hpp"
#include "train/evaluate.hpp"
#include "train/image_grid.hpp"
#include "train/model_state.hpp"
#include "zoo/corrupt.hpp"

namespace po = boost::program_options;
using namespace aeg;
using namespace aeg::apps;
using namespace aeg::train;

namespace {

// Peak signal-to-noise ratio for data in [0, 1]: 10 log10(1 / MSE).
double psnr(const float* a, const float* b, std::int64_t n) {
  double sq = 0;
  for (std::int64_t i = 0; i < n; ++i) sq += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  const double mse = sq / static_cast<double>(n);
  return mse > 0 ? 10 * std::log10(1 / mse) : INFINITY;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-denoise options");
  opts.add_options()
      ("checkpoint", po::value<std::string>()->default_value("model.h5"), "checkpoint (ae-train --out)")
      ("data", po::value<std::string>()->default_value("fashion-mnist.h5"), "dataset file")
      ("noise", po::value<std::string>(), "KIND:LEVEL, e.g. gaussian:0.5, masking:0.25, salt-pepper:0.25 (default: the model's own training noise)")
      ("limit", po::value<std::int64_t>()->default_value(0), "only the first N test samples (0 = all)")
      ("count", po::value<int>()->default_value(8), "images per row in the picture")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed for the noise")
      ("threads", po::value<int>()->default_value(2), "threads")
      ("out", po::value<std::string>()->default_value("denoise.png"), "PNG: clean, noisy and denoised rows");
  add_scale_option(opts);
  return run_app("ae-denoise", "--checkpoint CKPT --data FILE --noise KIND:LEVEL [--out denoise.png]", argc, argv, opts,
                 [](const po::variables_map& vm) {
    const std::string ckpt = vm["checkpoint"].as<std::string>(), data = vm["data"].as<std::string>();
    const int scale = grid_scale(vm);
    LoadedModel lm = load_model(ckpt);
    zoo::NoiseSpec noise{lm.spec.noise, lm.spec.noise_level};
    if (vm.count("noise")) noise = zoo::parse_noise_spec(vm["noise"].as<std::string>());
    if (noise.noise == zoo::Noise::None)
      throw std::invalid_argument("the model in " + ckpt + " was not trained with noise: give --noise KIND:LEVEL");
    const int count = vm["count"].as<int>();
    if (count < 1 || count > 64) throw std::invalid_argument("--count must be between 1 and 64");
    if (lm.spec.image_shape.size() != 3) throw std::invalid_argument("the model's data have no image shape to draw");

    const io::SplitArrays xs = load_for_model(data, "test", vm["limit"].as<std::int64_t>(), lm, ckpt);
    const std::int64_t n = xs.x.shape[0], f = lm.spec.features, total = n * f;
    Tensor<float> noisy = xs.x;
    Rng rng(vm["seed"].as<std::uint64_t>());
    const zoo::TargetRange range = zoo::target_range(lm.spec);
    zoo::corrupt(noisy.ptr(), total, noise.noise, noise.level, rng, range.lo, range.hi);
    const std::vector<float> denoised = reconstruct(lm.spec, lm.params, noisy.ptr(), xs.y, n,
                                                    {.threads = vm["threads"].as<int>()});
    const double before = psnr(xs.x.ptr(), noisy.ptr(), total), after = psnr(xs.x.ptr(), denoised.data(), total);
    std::cout.precision(4);
    std::cout << std::fixed << "noise " << zoo::to_string(noise) << " on " << n << " test images of " << data << "\n"
              << "PSNR noisy    " << before << " dB\n"
              << "PSNR denoised " << after << " dB\n";

    const std::int64_t k = std::min<std::int64_t>(count, n);
    const auto& is = lm.spec.image_shape;
    Tensor<float> grid({3 * k, is[0], is[1], is[2]});
    for (std::int64_t i = 0; i < k * f; ++i) {
      grid[i] = xs.x[i];
      grid[k * f + i] = noisy[i];
      grid[2 * k * f + i] = denoised[static_cast<std::size_t>(i)];
    }
    const std::string out = vm["out"].as<std::string>();
    write_image_grid(out, grid, 3, static_cast<int>(k), scale);
    std::cout << "wrote " << out << ": clean / noisy / denoised rows of " << k << "\n";
    return 0;
  });
}
