// ae-graph: any recipe's graph as Graphviz DOT (or SVG and PNG, drawn through
// Graphviz's library where the build has it), for looking and teaching; with
// --trace, one small batch goes forward and backward and every step is printed;
// --html writes a page that steps through that trace node by node.
//
//   ae-graph --model tied --features 6 --code 2 --backward --trace --out tied.svg
//   ae-graph --model conv-pool --image-shape 3,30,45 --out conv-pool.dot
//   ae-graph --example neuron --html neuron.html
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/common/cli.hpp"
#include "apps/common/model_options.hpp"
#include "apps/graph/finite_differences.hpp"
#include "apps/graph/neuron.hpp"
#include "apps/graph/render.hpp"
#include "apps/graph/stepper_html.hpp"
#include "apps/graph/trace_steps.hpp"
#include "engine/dot.hpp"
#include "engine/executor.hpp"
#include "io/atomic_file.hpp"
#include "train/evaluate.hpp"
#include "zoo/model.hpp"

namespace po = boost::program_options;
using namespace aeg;
using namespace aeg::apps;
using namespace aeg::train;

namespace {

// What is drawn: a recipe's model, or the tutorial's neuron; and how its inputs are fed.
struct Drawn {
  std::unique_ptr<zoo::Model> model;
  std::unique_ptr<Neuron> neuron;
  const Graph* graph = nullptr;
  Var out;
  std::string title;
  std::function<void(Executor<float>&)> feed;
};

Drawn recipe(const po::variables_map& vm, bool eval) {
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
  Drawn d;
  d.model = zoo::build(spec, batch);
  d.graph = &d.model->graph;
  d.out = d.model->loss;
  d.title = spec.recipe + (eval ? " (evaluation)" : " (training)");
  const zoo::Model* m = d.model.get();
  // Random inputs in [0, 1] (and labels 0, 1, ... for a conditional model).
  d.feed = [m, spec, batch, seed = vm["seed"].as<std::uint64_t>()](Executor<float>& ex) {
    Rng rng(seed ^ 0x7ace);
    float* x = ex.input_data(m->x);
    for (std::int64_t i = 0; i < batch * spec.features; ++i) x[i] = static_cast<float>(rng.uniform());
    if (spec.conditional) {
      std::vector<std::int32_t> labels;
      for (std::int64_t i = 0; i < batch; ++i) labels.push_back(static_cast<std::int32_t>(i % spec.classes));
      one_hot(ex.input_data(m->label), labels, 0, batch, spec.classes);
    }
  };
  return d;
}

Drawn example(const std::string& name) {
  if (name != "neuron") throw std::invalid_argument("--example: unknown example '" + name + "' (there is: neuron)");
  Drawn d;
  d.neuron = std::make_unique<Neuron>();
  d.graph = &d.neuron->graph;
  d.out = d.neuron->o;
  d.title = "one neuron: o = tanh(x1 w1 + x2 w2 + b)";
  d.feed = [n = d.neuron.get()](Executor<float>& ex) { n->feed(ex); };
  return d;
}

// The values the trace does not print, as it would print them: the inputs and
// parameters the forward pass starts from.
void print_given(std::ostream& os, const Executor<float>& ex) {
  const Graph& g = ex.plan().graph();
  for (int id = 0; id < g.size(); ++id) {
    const Node& nd = g.node(id);
    if (!ex.plan().live(id) || nd.kind == NodeKind::Op || nd.kind == NodeKind::Constant) continue;
    os << (nd.kind == NodeKind::Input ? "input    " : "param    ") << g.label(id) << " " << to_string(nd.shape) << " "
       << trace_values(ex.value_data(Var{const_cast<Graph*>(&g), id}), static_cast<long>(numel(nd.shape))) << "\n";
  }
}

// Written whole or not at all: a full disk leaves the old file, not half a graph.
void write_file(const std::string& path, const std::string& bytes) {
  io::TempFile temp(path);
  std::ofstream f(temp.path(), std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open for writing");
  f << bytes;
  f.close();
  if (!f) throw std::runtime_error(path + ": write failed (the old file, if any, is kept)");
  temp.commit();
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-graph options");
  opts.add_options()
      ("example", po::value<std::string>(), "draw the tutorial's graph instead of a recipe: neuron (o = tanh(x1 w1 + x2 w2 + b), 0-d values)")
      ("features", po::value<std::int64_t>(), "input width (default: the recipe's, 784); small values make readable traces")
      ("image-shape", po::value<std::string>(), "C,H,W of the images to draw the recipe for, e.g. 3,32,32 (default 1,28,28)")
      ("batch", po::value<std::int64_t>()->default_value(2), "batch size of the drawn graph")
      ("eval", po::bool_switch(), "draw the evaluation graph (no corruption, no gradients) instead of the training graph")
      ("backward", po::bool_switch(), "also draw the backward graph (gradient nodes and edges)")
      ("trace", po::bool_switch(), "run one batch of random inputs in [0, 1] forward and backward, print the inputs, "
                                   "parameters and every step, and put the values in the drawing")
      ("html", po::value<std::string>(), "also write an HTML page that steps through the traced forward and backward "
                                            "pass node by node (self-contained; open it in any browser)")
      ("finite-differences", po::bool_switch(), "check every gradient of the traced pass against central differences "
                                                "of the output in double precision, element by element")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed for the parameters, the inputs and the noise")
      ("out", po::value<std::string>()->default_value("graph.dot"),
       "file to write: .svg or .png drawn by Graphviz's library (where built with it), else DOT ('-' for standard output)");
  add_model_options(opts);
  return run_app("ae-graph", "(--model NAME [model options] | --example neuron) [--backward] [--trace] [--html FILE.html] --out FILE.{dot,svg,png}",
                 argc, argv, opts, [](const po::variables_map& vm) {
    const bool eval = vm["eval"].as<bool>(), stepper = vm.count("html") > 0;
    const bool backward = vm["backward"].as<bool>(), print_trace = vm["trace"].as<bool>();
    const bool differences = vm["finite-differences"].as<bool>(), trace = print_trace || stepper || differences;
    if (eval && backward) throw std::invalid_argument("--backward draws gradients, which the --eval graph has none of");
    if (eval && differences) throw std::invalid_argument("--finite-differences checks gradients, which the --eval graph has none of");
    if (eval && stepper) throw std::invalid_argument("--html steps through the backward pass, which the --eval graph has none of");
    const std::string out = vm["out"].as<std::string>(), format = render_format_of(out);
    // Refused before any work: a build without Graphviz's library cannot draw.
    if (!format.empty() && !graphviz_linked()) render_dot("", format);
    if (vm.count("example") && (model_overrides_given(vm) || vm.count("features") || vm.count("image-shape")))
      throw std::invalid_argument("--example draws its own graph: give no model options");
    const Drawn d = vm.count("example") ? example(vm["example"].as<std::string>()) : recipe(vm, eval);
    const Plan plan = compile(*d.graph, {d.out}, {.grads = !eval, .reuse_memory = !trace});
    const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
    DotOptions dot{.backward = backward, .title = d.title};

    ParamStore<float> params;
    Rng init_rng(seed);
    params.init_from(*d.graph, init_rng);
    std::unique_ptr<Executor<float>> ex;
    std::ostringstream steps;
    if (trace) {
      ex = std::make_unique<Executor<float>>(plan, params, ExecOptions{.seed = seed, .trace = &steps});
      d.feed(*ex);
      ex->forward();
      if (!eval) ex->backward();
      dot.values = ex.get();
      if (print_trace) {
        print_given(std::cout, *ex);
        std::cout << steps.str();
      }
      if (differences) print_finite_differences(std::cout, *ex, params, seed);
    }
    if (stepper) {
      const std::string path = vm["html"].as<std::string>();
      // Drawn without values: the page shows them as the steps reach them.
      const DotOptions full{.backward = true, .title = d.title};
      const std::string svg = graphviz_linked() ? render_dot(to_dot(plan, full), "svg") : std::string();
      std::ostringstream page;
      write_stepper_html(page, d.title, *ex, steps.str(), svg);
      write_file(path, page.str());
      std::cerr << "wrote " << path << (svg.empty() ? " (no drawing: this ae-graph was built without Graphviz's library)" : "")
                << "\n";
    }
    const std::string text = to_dot(plan, dot);
    if (out == "-") {
      std::cout << text;
    } else if (!format.empty()) {
      write_file(out, render_dot(text, format));
      std::cerr << "wrote " << out << "\n";
    } else {
      write_file(out, text);
      std::cerr << "wrote " << out << " (render: dot -Tsvg " << out << " -o graph.svg)\n";
    }
    return 0;
  });
}
