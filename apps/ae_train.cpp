// ae-train: train a zoo model on an HDF5 dataset (see --help).
#include <iostream>

#include "apps/common/cli.hpp"
#include "apps/common/model_options.hpp"
#include "apps/common/trainer.hpp"
#include "io/dataset.hpp"
#include "io/error.hpp"
#include "io/memory_budget.hpp"
#include "zoo/conv_recipes.hpp"

namespace po = boost::program_options;
using namespace aeg::apps;

namespace {

// The model worked out for the data's shape (the file's image shape, or
// --image-shape for a flat file), so that a conv recipe fits the images and the
// layer options are checked against them, not against the recipes' 1 x 28 x 28.
std::string shape_text(const std::vector<std::int64_t>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

aeg::zoo::ModelSpec spec_for_data(const po::variables_map& vm, TrainConfig& c) {
  const aeg::io::DatasetInfo info = aeg::io::describe(c.data);
  if (const std::string note = aeg::io::assumed_scale_note(info); !note.empty() && !vm["quiet"].as<bool>())
    std::cerr << note << "\n";
  std::vector<std::int64_t> shape = info.image_shape;
  if (vm.count("image-shape")) {
    const auto given = parse_image_shape("image-shape", vm["image-shape"].as<std::string>());
    if (!shape.empty() && given != shape)
      throw aeg::io::DataError(c.data + ": the file's images are " + shape_text(shape) + ", not --image-shape " +
                               shape_text(given) + " (drop --image-shape)");
    if (aeg::numel(given) != info.features)
      throw aeg::io::DataError(c.data + ": /train/x has " + std::to_string(info.features) + " features, not the " +
                               std::to_string(aeg::numel(given)) + " of --image-shape " + shape_text(given));
    shape = given;
    c.image_shape = given;
  }
  const std::string model = vm["model"].as<std::string>();
  if (shape.empty() && aeg::zoo::is_conv_recipe(model))
    throw aeg::io::DataError(c.data + ": /train/x has no image shape (C,H,W), which the convolutional model '" + model +
                             "' needs (--image-shape C,H,W gives a flat file one)");
  try {
    return spec_from_options(vm, info.features, shape);
  } catch (const std::invalid_argument& e) {
    // Still an options error (exit status 2), but one that may hold only for these data.
    const std::string what = shape.empty() ? std::to_string(info.features) + " flat features"
                                           : shape_text(shape) + " images";
    throw std::invalid_argument(c.data + " (/train/x: " + what + "): " + e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-train options");
  TrainConfig d;
  opts.add_options()
      ("data", po::value<std::string>()->default_value("fashion-mnist.h5"), "dataset file (ae-import makes one)")
      ("out", po::value<std::string>()->default_value(d.out), "checkpoint to write (recon.png goes beside it)")
      ("epochs", po::value<std::int64_t>()->default_value(d.epochs), "total epochs to reach")
      ("batch", po::value<std::int64_t>()->default_value(d.batch), "batch size")
      ("lr", po::value<double>()->default_value(d.lr), "Adam learning rate")
      ("seed", po::value<std::uint64_t>()->default_value(d.seed), "seed for initialisation, shuffling and noise")
      ("threads", po::value<int>()->default_value(d.threads), "threads")
      ("train-limit", po::value<std::int64_t>()->default_value(0), "use only the first N training samples (0 = all)")
      ("test-limit", po::value<std::int64_t>()->default_value(0), "evaluate on the first N test samples (0 = all)")
      ("data-memory", po::value<std::string>(), "memory the training split may take (e.g. 512M, 4G; default: half "
                                                 "of the available memory); a larger split streams from the file")
      ("image-shape", po::value<std::string>(), "C,H,W of a flat file's features, if they are images (a file with an "
                                                 "image shape gives its own)")
      ("only-class", po::value<std::int32_t>()->default_value(-1), "train on one class only (anomaly detection; -1 = all)")
      ("standardize", po::bool_switch(), "scale each feature to mean 0, deviation 1 over the training rows (for a file without "
                                         "/scaling; kept in the checkpoint, applied by every app)")
      ("resume", po::bool_switch(), "continue from the --out checkpoint (its model, optimizer and progress)")
      ("quiet", po::bool_switch(), "no progress output");
  add_model_options(opts);
  return run_app("ae-train", "--data FILE --model NAME [model options] --epochs N --out CKPT", argc, argv, opts,
                 [](const po::variables_map& vm) {
                   TrainConfig c;
                   c.data = vm["data"].as<std::string>();
                   c.out = vm["out"].as<std::string>();
                   c.epochs = vm["epochs"].as<std::int64_t>();
                   c.batch = vm["batch"].as<std::int64_t>();
                   c.lr = vm["lr"].as<double>();
                   c.lr_given = !vm["lr"].defaulted();
                   c.seed = vm["seed"].as<std::uint64_t>();
                   c.threads = vm["threads"].as<int>();
                   c.train_limit = vm["train-limit"].as<std::int64_t>();
                   c.test_limit = vm["test-limit"].as<std::int64_t>();
                   c.only_class = vm["only-class"].as<std::int32_t>();
                   if (vm.count("data-memory")) c.data_memory = aeg::io::parse_memory_size(vm["data-memory"].as<std::string>(), "--data-memory");
                   c.standardize = vm["standardize"].as<bool>();
                   c.resume = vm["resume"].as<bool>();
                   c.quiet = vm["quiet"].as<bool>();
                   if (c.resume && (model_overrides_given(vm) || !vm["model"].defaulted()))
                     throw std::invalid_argument("--resume continues the checkpoint's own model: drop the model options");
                   const TrainResult r = train(c.resume ? spec_from_options(vm) : spec_for_data(vm, c), c);
                   if (r.epochs_run > 0)
                     std::cout << "trained " << r.epochs_run << " epochs: test loss " << r.last_test_loss
                               << "; checkpoint " << c.out << "\n";
                   return 0;
                 });
}
