// ae-graph: any recipe's graph as Graphviz DOT, for looking and teaching; with
// --trace, one small batch goes forward and backward and every step is printed.
//
//   ae-graph --model tied --features 6 --code 2 --backward --trace --out tied.dot
//   ae-graph --model conv-pool --image-shape 3,30,45 --out conv-pool.dot
//   dot -Tsvg tied.dot -o tied.svg
#include <fstream>
#include <iostream>

#include "apps/common/cli.hpp"
#include "io/atomic_file.hpp"
#include "train/evaluate.hpp"
#include "apps/common/model_options.hpp"
#include "engine/dot.hpp"
#include "engine/executor.hpp"
#include "zoo/model.hpp"

namespace po = boost::program_options;
using namespace aeg;
using namespace aeg::apps;
using namespace aeg::train;

int main(int argc, char** argv) {
  po::options_description opts("ae-graph options");
  opts.add_options()
      ("features", po::value<std::int64_t>(), "input width (default: the recipe's, 784); small values make readable traces")
      ("image-shape", po::value<std::string>(), "C,H,W of the images to draw the recipe for, e.g. 3,32,32 (default 1,28,28)")
      ("batch", po::value<std::int64_t>()->default_value(2), "batch size of the drawn graph")
      ("eval", po::bool_switch(), "draw the evaluation graph (no corruption, no gradients) instead of the training graph")
      ("backward", po::bool_switch(), "also draw the backward graph (gradient nodes and edges)")
      ("trace", po::bool_switch(), "run one batch of random inputs in [0, 1] forward and backward, print every step, and put the values in the drawing")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed for the parameters, the inputs and the noise")
      ("out", po::value<std::string>()->default_value("graph.dot"), "DOT file to write ('-' for standard output)");
  add_model_options(opts);
  return run_app("ae-graph", "--model NAME [model options] [--backward] [--trace] --out FILE.dot", argc, argv, opts,
                 [](const po::variables_map& vm) {
    // The data the recipe is drawn for: 1 x 28 x 28 images unless told.
    std::int64_t features = 784;
    std::vector<std::int64_t> shape = {1, 28, 28};
    if (vm.count("features") && vm.count("image-shape"))
      throw std::invalid_argument("--features draws flat data, --image-shape images: give one");
    if (vm.count("features")) {
      features = vm["features"].as<std::int64_t>();
      if (features < 1) throw std::invalid_argument("--features must be positive");
      shape.clear();
    }
    if (vm.count("image-shape")) {
      shape = parse_image_shape("image-shape", vm["image-shape"].as<std::string>());
      features = numel(shape);
    }
    const zoo::ModelSpec spec = spec_from_options(vm, features, shape);
    const std::int64_t batch = vm["batch"].as<std::int64_t>();
    if (batch < 1) throw std::invalid_argument("--batch must be positive");
    const bool eval = vm["eval"].as<bool>(), backward = vm["backward"].as<bool>(), trace = vm["trace"].as<bool>();
    if (eval && backward) throw std::invalid_argument("--backward draws gradients, which the --eval graph has none of");
    const auto model = zoo::build(spec, batch);
    const zoo::Model& m = *model;
    const Plan plan = compile(m.graph, {m.loss}, {.grads = !eval, .reuse_memory = !trace});
    const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
    DotOptions dot{.backward = backward, .title = spec.recipe + (eval ? " (evaluation)" : " (training)")};

    ParamStore<float> params;
    Rng init_rng(seed);
    params.init_from(m.graph, init_rng);
    std::unique_ptr<Executor<float>> ex;
    if (trace) {
      ex = std::make_unique<Executor<float>>(plan, params, ExecOptions{.seed = seed, .trace = &std::cout});
      Rng rng(seed ^ 0x7ace);
      float* x = ex->input_data(m.x);
      for (std::int64_t i = 0; i < batch * spec.features; ++i) x[i] = static_cast<float>(rng.uniform());
      if (spec.conditional) {
        std::vector<std::int32_t> labels;
        for (std::int64_t i = 0; i < batch; ++i) labels.push_back(static_cast<std::int32_t>(i % spec.classes));
        one_hot(ex->input_data(m.label), labels, 0, batch, spec.classes);
      }
      ex->forward();
      if (!eval) ex->backward();
      dot.values = ex.get();
    }
    const std::string out = vm["out"].as<std::string>();
    if (out == "-") {
      write_dot(std::cout, plan, dot);
    } else {
      // Written whole or not at all: a full disk leaves the old file, not half a graph.
      io::TempFile temp(out);
      std::ofstream f(temp.path());
      if (!f) throw std::runtime_error(out + ": cannot open for writing");
      write_dot(f, plan, dot);
      f.close();
      if (!f) throw std::runtime_error(out + ": write failed (the old file, if any, is kept)");
      temp.commit();
      std::cerr << "wrote " << out << " (render: dot -Tsvg " << out << " -o graph.svg)\n";
    }
    return 0;
  });
}
