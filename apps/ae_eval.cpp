// ae-eval: a checkpoint's test-set figures, as text or one JSON object.
#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "analysis/anomaly.hpp"
#include "analysis/anomaly_plot.hpp"
#include "analysis/codes_plot.hpp"
#include "apps/common/cli.hpp"
#include "io/arrays.hpp"
#include "io/batch_reader.hpp"
#include "io/checkpoint.hpp"
#include "io/dataset.hpp"
#include "train/curves.hpp"
#include "train/data_check.hpp"
#include "train/evaluate.hpp"
#include "train/model_state.hpp"

namespace po = boost::program_options;
using namespace aeg;
using namespace aeg::apps;
using namespace aeg::analysis;
using namespace aeg::train;

namespace {

// What evaluate's pass over the split leaves for --anomaly and --reconstructions:
// per-sample errors, the labels, and (only when asked) the reconstructions.
struct PerSample {
  SampleErrors errors;
  std::vector<std::int32_t> labels;
  std::vector<float> recon;
  std::int64_t n = 0;
};

// The BCE score only for models whose data lie in [0, 1]: on real-valued data it means nothing.
void anomaly(const po::variables_map& vm, const LoadedModel& lm, const PerSample& ps) {
  std::ostream& log = vm["json"].as<bool>() ? std::cerr : std::cout;  // keep stdout one JSON object
  const std::int64_t n = ps.n;
  const zoo::TargetRange range = zoo::target_range(lm.spec);
  const bool unit = range.lo == 0 && range.hi == 1;
  const SampleErrors& e = ps.errors;
  io::ArraysFile file;
  file.floats.emplace_back("/mse", Tensor<float>({n}, e.mse));
  if (unit) file.floats.emplace_back("/bce", Tensor<float>({n}, e.bce));
  if (!ps.labels.empty()) file.ints.emplace_back("/labels", ps.labels);
  file.attributes = {{"checkpoint", vm["checkpoint"].as<std::string>()}, {"data", vm["data"].as<std::string>()},
                     {"split", vm["split"].as<std::string>()}};
  if (vm.count("normal-class")) {
    const std::int32_t k = vm["normal-class"].as<std::int32_t>();
    const std::string score = vm["score"].as<std::string>();
    if (score != "mse" && score != "bce") throw std::invalid_argument("--score must be mse or bce");
    if (score == "bce" && !unit)
      throw std::invalid_argument("--score bce is for data in [0, 1]; the model in " + vm["checkpoint"].as<std::string>() +
                                  " takes any real value: use --score mse");
    if (ps.labels.empty()) throw std::invalid_argument("--normal-class needs labels, and /" + vm["split"].as<std::string>() + "/y is missing");
    std::vector<bool> anomalous(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) anomalous[static_cast<std::size_t>(i)] = ps.labels[static_cast<std::size_t>(i)] != k;
    const double auc_mse = roc_auc(e.mse, anomalous);
    file.numbers = {{"normal_class", k}, {"auroc_mse", auc_mse}};
    log << "AUROC, class " << k << " against the rest, scored by " << score << ": ";
    if (unit) {
      const double auc_bce = roc_auc(e.bce, anomalous);
      file.numbers.emplace_back("auroc_bce", auc_bce);
      log << (score == "mse" ? auc_mse : auc_bce) << "  (mse " << auc_mse << ", bce " << auc_bce << ")\n";
    } else {
      log << auc_mse << "\n";
    }
    if (vm.count("plot")) {
      const std::string plot = vm["plot"].as<std::string>();
      const std::string data = vm["data"].as<std::string>();
      const auto names = io::describe(data).class_names;
      const std::vector<float>& scores = score == "mse" ? e.mse : e.bce;
      AnomalyToPlot a{.score = scores, .anomalous = anomalous, .auc = roc_auc(scores, anomalous), .score_name = score,
                      .normal_name = class_name(names, k), .checkpoint = vm["checkpoint"].as<std::string>(),
                      .split = vm["split"].as<std::string>()};
      plot::save(anomaly_figure(a), plot);
      log << "wrote " << plot << ": the ROC curve and the scores' histograms\n";
    }
  }
  const std::string out = vm["anomaly"].as<std::string>();
  io::write_arrays(out, file);
  log << "wrote " << out << ": per-sample /mse" << (unit ? " and /bce" : "") << " of " << n << " samples\n";
}

// The reconstructions in the data's own units: the model's scaling inverted.
void reconstructions(const po::variables_map& vm, const LoadedModel& lm, PerSample& ps) {
  const std::int64_t n = ps.n;
  std::vector<float> y = std::move(ps.recon);
  lm.checkpoint.scaling.invert(y.data(), n);
  io::ArraysFile file;
  file.floats.emplace_back("/x_hat", Tensor<float>({n, lm.spec.features}, std::move(y)));
  if (!ps.labels.empty()) file.ints.emplace_back("/labels", ps.labels);
  file.attributes = {{"checkpoint", vm["checkpoint"].as<std::string>()}, {"data", vm["data"].as<std::string>()},
                     {"split", vm["split"].as<std::string>()},
                     {"units", lm.checkpoint.scaling.empty() ? "as stored" : "the data's own (scaling inverted)"}};
  const std::string out = vm["reconstructions"].as<std::string>();
  io::write_arrays(out, file);
  (vm["json"].as<bool>() ? std::cerr : std::cout) << "wrote " << out << ": /x_hat " << n << " x " << lm.spec.features << "\n";
}

// --curves CKPT: the learning curves from the checkpoint's histories alone (no data, no model run).
int redraw_curves(const po::variables_map& vm) {
  const std::string ckpt = vm["curves"].as<std::string>();
  const io::Checkpoint ck = io::load_checkpoint(ckpt);
  if (ck.test_loss.empty() && ck.train_loss.empty()) throw io::DataError(ckpt + ": /train_loss and /test_loss are empty: no epoch to draw");
  const plot::Figure f = curves_figure(ck, curves_title(ck, ckpt));
  if (vm.count("plot")) {
    plot::save(f, vm["plot"].as<std::string>());
    std::cout << "wrote " << vm["plot"].as<std::string>() << "\n";
  } else {
    plot::save_png_and_svg(f, curves_stem(ckpt));
    std::cout << "wrote " << curves_stem(ckpt) << ".png and .svg\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-eval options");
  opts.add_options()
      ("checkpoint", po::value<std::string>()->default_value("model.h5"), "checkpoint (ae-train --out)")
      ("data", po::value<std::string>()->default_value("fashion-mnist.h5"), "dataset file")
      ("split", po::value<std::string>()->default_value("test"), "train or test")
      ("limit", po::value<std::int64_t>()->default_value(0), "only the first N samples (0 = all)")
      ("noise", po::value<std::string>(), "corrupt the input with KIND:LEVEL (fixed seed) and compare with the clean data; default: a denoising model's own noise, 'none' to turn it off")
      ("batch", po::value<std::int64_t>()->default_value(500), "evaluation batch size")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed for the noise and the VAE's sampling")
      ("threads", po::value<int>()->default_value(2), "threads")
      ("json", po::bool_switch(), "print one JSON object")
      ("jacobian", po::bool_switch(), "also report the code's mean ||J||_F^2 w.r.t. the input (contractive models always do)")
      ("anomaly", po::value<std::string>(), "write per-sample reconstruction errors to this HDF5 file (/mse, /bce, /labels)")
      ("normal-class", po::value<std::int32_t>(), "with --anomaly: the class the model was trained on (ae-train --only-class); prints the ROC AUC of telling it from the others")
      ("score", po::value<std::string>()->default_value("mse"), "with --normal-class: the anomaly score, mse or bce")
      ("plot", po::value<std::string>(), "with --normal-class: draw the ROC curve (with its AUC) and the histograms of the scores of normal and anomalous samples (.png or .svg); with --curves: where to draw them")
      ("curves", po::value<std::string>(), "CKPT: only redraw the checkpoint's learning curves (train and test loss, penalties per epoch) as curves.png and curves.svg beside it, or as --plot FILE")
      ("reconstructions", po::value<std::string>(), "write the reconstructions to this HDF5 file (/x_hat, in the data's own units: the model's scaling inverted)");
  return run_app("ae-eval", "--checkpoint CKPT --data FILE [--json]", argc, argv, opts, [](const po::variables_map& vm) {
    if (vm.count("curves")) {
      if (vm.count("anomaly") || vm.count("reconstructions") || vm["json"].as<bool>())
        throw std::invalid_argument("--curves only redraws a checkpoint's curves: run --anomaly, --reconstructions and --json apart");
      return redraw_curves(vm);
    }
    if (vm.count("plot") && !vm.count("normal-class"))
      throw std::invalid_argument("--plot goes with --anomaly FILE --normal-class K, or with --curves CKPT");
    const std::string ckpt = vm["checkpoint"].as<std::string>(), data = vm["data"].as<std::string>();
    if (vm["batch"].as<std::int64_t>() < 1) throw std::invalid_argument("--batch must be at least 1");
    const std::string split = vm["split"].as<std::string>();
    if (vm.count("normal-class") && !vm.count("anomaly"))
      throw std::invalid_argument("--normal-class goes with --anomaly FILE");
    LoadedModel lm = load_model(ckpt);
    EvalOptions o{.batch = vm["batch"].as<std::int64_t>(), .threads = vm["threads"].as<int>(), .seed = vm["seed"].as<std::uint64_t>()};
    o.noise = {lm.spec.noise, lm.spec.noise_level};
    o.jacobian = vm["jacobian"].as<bool>();
    o.scaling = lm.checkpoint.scaling;
    if (vm.count("noise")) o.noise = zoo::parse_noise_spec(vm["noise"].as<std::string>());
    // The split streams through in file order; only per-sample figures (and the
    // reconstructions, if asked for) are kept.
    const auto reader = open_for_model(data, split, vm["limit"].as<std::int64_t>(), o.batch, lm, ckpt);
    PerSample ps;
    const bool scores = vm.count("anomaly") > 0, keep = vm.count("reconstructions") > 0;
    const std::int64_t f = lm.spec.features;
    const Metrics m = evaluate(lm.spec, lm.params, *reader, o, [&](const io::Batch& b, const float* y) {
      if (scores) {
        const SampleErrors e = per_sample_errors(b.x.data(), y, b.rows, f);
        ps.errors.mse.insert(ps.errors.mse.end(), e.mse.begin(), e.mse.end());
        ps.errors.bce.insert(ps.errors.bce.end(), e.bce.begin(), e.bce.end());
      }
      if (keep) ps.recon.insert(ps.recon.end(), y, y + b.rows * f);
      ps.labels.insert(ps.labels.end(), b.y.begin(), b.y.end());
      ps.n += b.rows;
    });
    if (vm.count("normal-class")) {  // checked before any figure is printed
      const std::int32_t k = vm["normal-class"].as<std::int32_t>();
      if (std::find(ps.labels.begin(), ps.labels.end(), k) == ps.labels.end())
        throw std::invalid_argument("--normal-class " + std::to_string(k) + ": no sample of /" + split + "/y in " + data +
                                    " has that class");
    }
    if (vm["json"].as<bool>()) {
      nlohmann::ordered_json j = to_json(m);
      j["model"] = lm.spec.recipe;
      j["epoch"] = lm.checkpoint.epoch;
      j["noise"] = zoo::to_string(o.noise);
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "model " << lm.spec.recipe << " after epoch " << lm.checkpoint.epoch << ", " << split << " set of " << data
                << (o.noise.noise != zoo::Noise::None ? ", input corrupted by " + zoo::to_string(o.noise) : std::string()) << "\n"
                << to_text(m);
    }
    if (scores) anomaly(vm, lm, ps);
    if (keep) reconstructions(vm, lm, ps);
    return 0;
  });
}
