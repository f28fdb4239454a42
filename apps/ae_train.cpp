// ae-train: train a zoo model on an HDF5 dataset (see --help).
#include <iostream>

#include "apps/common/cli.hpp"
#include "apps/common/model_options.hpp"
#include "train/trainer.hpp"
#include "io/dataset.hpp"
#include "io/error.hpp"
#include "io/memory_budget.hpp"
#include "zoo/conv_recipes.hpp"
#if AEGRAPH_WITH_MPI
#include "train/mpi/mpi_ranks.hpp"
#endif

namespace po = boost::program_options;
using namespace aeg::apps;
using namespace aeg::train;

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
      ("batch", po::value<std::int64_t>()->default_value(256), "batch size")
      ("drop-last", po::bool_switch(), "skip each epoch's last, smaller batch (by default every sample trains each epoch)")
      ("lr", po::value<double>()->default_value(1e-3), "Adam learning rate")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed for initialisation, shuffling and noise")
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
      ("grad-blocks", po::value<std::int64_t>()->default_value(0),
       "data-parallel: blocks each batch's gradient is summed over, whatever the number of ranks (0 = the first of 12, 8, "
       "6, 4, 3, 2 giving blocks of 64 rows or more); given without mpirun, one process takes the steps of an mpirun "
       "run, to the same bits")
      ("resume", po::bool_switch(), "continue from the --out checkpoint (its model, optimizer, progress and the settings "
                                    "above that are not given again)")
      ("quiet", po::bool_switch(), "no progress output");
  add_scale_option(opts);
  add_model_options(opts);
  return run_app("ae-train", "--data FILE --model NAME [model options] --epochs N --out CKPT", argc, argv, opts,
                 [&](const po::variables_map& vm) {
                   TrainConfig c;
                   c.data = vm["data"].as<std::string>();
                   c.out = vm["out"].as<std::string>();
                   c.epochs = vm["epochs"].as<std::int64_t>();
                   c.resume = vm["resume"].as<bool>();
                   // A setting left at its default is the checkpoint's own on --resume.
                   auto given = [&](const char* name) { return !vm[name].defaulted() || !c.resume; };
                   if (given("batch")) c.batch = vm["batch"].as<std::int64_t>();
                   if (given("lr")) c.lr = vm["lr"].as<double>();
                   if (given("seed")) c.seed = vm["seed"].as<std::uint64_t>();
                   if (given("train-limit")) c.train_limit = vm["train-limit"].as<std::int64_t>();
                   if (given("test-limit")) c.test_limit = vm["test-limit"].as<std::int64_t>();
                   if (given("only-class")) c.only_class = vm["only-class"].as<std::int32_t>();
                   if (vm["drop-last"].as<bool>() || !c.resume) c.drop_last = vm["drop-last"].as<bool>();
                   c.threads = vm["threads"].as<int>();
                   if (vm.count("data-memory")) c.data_memory = aeg::io::parse_memory_size(vm["data-memory"].as<std::string>(), "--data-memory");
                   c.standardize = vm["standardize"].as<bool>();
                   c.quiet = vm["quiet"].as<bool>();
                   c.grad_blocks = vm["grad-blocks"].as<std::int64_t>();
                   if (c.grad_blocks < 0) throw std::invalid_argument("--grad-blocks must be >= 0");
                   c.picture_scale = grid_scale(vm);
                   if (c.resume && (model_overrides_given(vm) || !vm["model"].defaulted()))
                     throw std::invalid_argument("--resume continues the checkpoint's own model: drop the model options");
#if AEGRAPH_WITH_MPI
                   // Under mpirun: every rank trains its share of each batch; rank 0 prints and writes.
                   std::unique_ptr<MpiRanks> mpi;
                   if (started_by_mpirun()) {
                     mpi = std::make_unique<MpiRanks>(&argc, &argv);
                     c.ranks = mpi.get();
                     if (mpi->rank() != 0) c.quiet = true;
                     // The ranks on one machine share its memory: each holds a split
                     // (and the test split) within its share of the default budget.
                     if (c.data_memory == 0) c.data_memory = aeg::io::default_data_memory() / ranks_on_this_machine();
                     mpi->on_stopped("ae-train: rank " + std::to_string(mpi->rank()) + " of " + std::to_string(mpi->size()) +
                                     " stopped by mpirun: another rank ended the run (mpirun names it); the last "
                                     "checkpoint written, " + c.out + ", is intact (--resume goes on from it)");
                   }
                   TrainResult r;
                   try {
                     r = fit(c.resume ? spec_from_options(vm) : spec_for_data(vm, c), c);
                   } catch (const std::exception& e) {
                     // One rank's error ends them all: the others would wait for it forever.
                     if (mpi && mpi->size() > 1)
                       mpi->abort("ae-train: rank " + std::to_string(mpi->rank()) + ": " + e.what());
                     throw;
                   }
#else
                   const TrainResult r = fit(c.resume ? spec_from_options(vm) : spec_for_data(vm, c), c);
#endif
                   if (r.epochs_run > 0 && !c.quiet)
                     std::cout << "trained " << r.epochs_run << " epochs: test loss " << r.last_test_loss
                               << "; checkpoint " << c.out << "\n";
                   return 0;
                 });
}
