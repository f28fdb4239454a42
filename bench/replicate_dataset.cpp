// ae-replicate: a large training split made from a small one, for timing the batch
// reader (bench/big_data.sh). Copy c of every training row has its values rotated
// by c places, so no two copies are the same rows; the test split is copied once.
#include <cmath>
#include <cstdio>
#include <vector>

#include "apps/common/cli.hpp"
#include "io/batch_reader.hpp"
#include "io/dataset.hpp"

namespace po = boost::program_options;
using namespace aeg;

namespace {

std::vector<std::uint8_t> to_u8(const std::vector<float>& x, double scale) {
  std::vector<std::uint8_t> r(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) r[i] = static_cast<std::uint8_t>(std::lround(x[i] * scale));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-replicate options");
  opts.add_options()
      ("data", po::value<std::string>()->required(), "source dataset (uint8 rows, e.g. out/fashion-mnist.h5)")
      ("out", po::value<std::string>()->required(), "file to write")
      ("copies", po::value<std::int64_t>()->default_value(20), "copies of the training split")
      ("chunk-rows", po::value<std::int64_t>()->default_value(256), "rows per chunk")
      ("deflate", po::value<int>()->default_value(1), "deflate level (0: none)");
  return apps::run_app("ae-replicate", "--data SRC.h5 --out BIG.h5 [--copies 20]", argc, argv, opts, [](const po::variables_map& vm) {
    const std::string src = vm["data"].as<std::string>();
    const io::DatasetInfo info = io::describe(src);
    if (info.train.dtype != io::DType::uint8) throw std::invalid_argument(src + ": /train/x must be uint8");
    const std::int64_t copies = vm["copies"].as<std::int64_t>();
    if (copies < 1) throw std::invalid_argument("--copies must be >= 1");
    io::DatasetFormat fmt;
    fmt.sample_shape = info.sample_shape;
    fmt.image_shape = info.image_shape;
    fmt.labels = info.train.labels;
    fmt.source = "ae-replicate: " + std::to_string(copies) + " rotated copies of " + src;
    fmt.chunk_rows = vm["chunk-rows"].as<std::int64_t>();
    fmt.deflate = vm["deflate"].as<int>();
    io::DatasetWriter w(vm["out"].as<std::string>(), fmt);
    const io::SplitArrays train = io::load_split(src, "train");
    const std::vector<std::uint8_t> rows = to_u8(train.x.data, info.train.scale);
    const auto f = static_cast<std::size_t>(info.features);
    std::vector<std::uint8_t> copy(rows.size());
    for (std::int64_t c = 0; c < copies; ++c) {
      const std::size_t shift = static_cast<std::size_t>(c) % f;
      for (std::size_t r = 0; r < rows.size() / f; ++r)
        for (std::size_t j = 0; j < f; ++j) copy[r * f + j] = rows[r * f + (j + shift) % f];
      w.append("train", copy, train.y);
      std::fprintf(stderr, "\rcopy %lld/%lld", static_cast<long long>(c + 1), static_cast<long long>(copies));
    }
    if (info.test.present) {
      const io::SplitArrays test = io::load_split(src, "test");
      w.append("test", to_u8(test.x.data, info.test.scale), test.y);
    }
    w.finish();
    std::fprintf(stderr, "\n%s: %lld training rows\n", vm["out"].as<std::string>().c_str(),
                 static_cast<long long>(copies * train.x.shape[0]));
    return 0;
  });
}
