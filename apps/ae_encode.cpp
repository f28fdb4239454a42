// ae-encode: the code (mu, for a variational model) of every sample of a split,
// with its label, into an HDF5 file; --plot draws them as a scatter plot.
#include <iostream>

#include "analysis/codec.hpp"
#include "analysis/codes_plot.hpp"
#include "apps/common/cli.hpp"
#include "io/arrays.hpp"
#include "io/dataset.hpp"
#include "train/data_check.hpp"
#include "train/model_state.hpp"

namespace po = boost::program_options;
using namespace aeg;
using namespace aeg::apps;
using namespace aeg::analysis;
using namespace aeg::train;

int main(int argc, char** argv) {
  po::options_description opts("ae-encode options");
  opts.add_options()
      ("checkpoint", po::value<std::string>()->default_value("model.h5"), "checkpoint (ae-train --out)")
      ("data", po::value<std::string>()->default_value("fashion-mnist.h5"), "dataset file")
      ("split", po::value<std::string>()->default_value("test"), "train or test")
      ("limit", po::value<std::int64_t>()->default_value(0), "only the first N samples (0 = all)")
      ("out", po::value<std::string>()->default_value("codes.h5"), "HDF5 file: /codes (N x code, float32), /labels (N, int32) when the data have labels")
      ("plot", po::value<std::string>(), "also draw the codes as a scatter plot coloured by class, with a legend of the class names (.png or .svg; a code wider than 2 on its first two principal components)")
      ("threads", po::value<int>()->default_value(2), "threads");
  return run_app("ae-encode", "--checkpoint CKPT --data FILE --out codes.h5 [--plot codes.png]", argc, argv, opts,
                 [](const po::variables_map& vm) {
    const std::string ckpt = vm["checkpoint"].as<std::string>(), data = vm["data"].as<std::string>();
    const std::string split = vm["split"].as<std::string>(), out = vm["out"].as<std::string>();
    LoadedModel lm = load_model(ckpt);
    if (vm.count("plot") && lm.spec.code < 2)
      throw std::invalid_argument("--plot needs a code of at least 2 units; this model's has " + std::to_string(lm.spec.code));
    // The split streams through in file order; only the codes and labels are kept.
    const auto reader = open_for_model(data, split, vm["limit"].as<std::int64_t>(), 4096, lm, ckpt);
    std::vector<std::int32_t> labels;
    std::vector<float> all_codes;
    io::Batch b;
    reader->start_epoch(0);
    while (reader->next(b)) {
      const Tensor<float> c = encode(lm.spec, lm.params, b.x.data(), b.y, b.rows, vm["threads"].as<int>());
      all_codes.insert(all_codes.end(), c.data.begin(), c.data.end());
      labels.insert(labels.end(), b.y.begin(), b.y.end());
    }
    const std::int64_t n = reader->size();
    if (n == 0) throw std::invalid_argument(data + ": /" + split + "/x has no rows to encode");
    Tensor<float> codes({n, lm.spec.code}, std::move(all_codes));

    io::ArraysFile file;
    file.floats.emplace_back("/codes", codes);
    if (!labels.empty()) file.ints.emplace_back("/labels", labels);
    file.attributes = {{"checkpoint", ckpt}, {"data", data}, {"split", split}, {"model", lm.spec.recipe},
                       {"code", lm.spec.variational ? "mu" : "code"}};
    io::write_arrays(out, file);
    std::cout << "wrote " << out << ": /codes " << n << " x " << lm.spec.code << (labels.empty() ? "" : ", /labels") << "\n";

    if (vm.count("plot")) {
      const std::string plot = vm["plot"].as<std::string>();
      CodesToPlot c{.codes = codes.data, .n = n, .code = lm.spec.code, .labels = labels,
                    .class_names = io::describe(data).class_names, .checkpoint = ckpt, .split = split,
                    .model = lm.spec.recipe, .variational = lm.spec.variational};
      plot::save(codes_figure(c), plot);
      std::cout << "wrote " << plot << (lm.spec.code > 2 ? " (the first two principal components of " + std::to_string(lm.spec.code) + " units)" : "")
                << "\n";
    }
    return 0;
  });
}
