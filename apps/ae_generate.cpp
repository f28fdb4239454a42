// ae-generate: pictures from a model's code space: prior samples, straight
// lines between two test images, one unit traversed, the 2-D manifold.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "analysis/codec.hpp"
#include "analysis/codes_plot.hpp"
#include "analysis/grid_plot.hpp"
#include "analysis/latent.hpp"
#include "apps/common/cli.hpp"
#include "io/arrays.hpp"
#include "io/dataset.hpp"
#include "train/data_check.hpp"
#include "train/image_grid.hpp"
#include "train/model_state.hpp"

namespace po = boost::program_options;
using namespace aeg;
using namespace aeg::apps;
using namespace aeg::analysis;
using namespace aeg::train;

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// What a labelled picture says about its columns and rows (--manifold, --interpolate).
struct GridText {
  std::vector<std::string> col_labels, row_labels;
  std::string x_label, y_label, title;
};

struct Job {
  const po::variables_map& vm;
  LoadedModel& lm;
  std::int64_t code() const { return lm.spec.code; }
  int threads() const { return vm["threads"].as<int>(); }
  std::int64_t steps(std::int64_t fallback) const {
    const std::int64_t s = vm.count("steps") ? vm["steps"].as<std::int64_t>() : fallback;
    if (s < 2 || s > 64) throw std::invalid_argument("--steps must be between 2 and 64");
    return s;
  }
  std::int32_t cls() const {
    if (!vm.count("class")) return -1;
    if (!lm.spec.conditional) throw std::invalid_argument("--class needs a conditional model (cvae); this one is " + lm.spec.recipe);
    const std::int32_t c = vm["class"].as<std::int32_t>();
    if (c < 0 || c >= lm.spec.classes)
      throw std::invalid_argument("--class must be in 0.." + std::to_string(lm.spec.classes - 1));
    return c;
  }
  io::SplitArrays data(std::int64_t limit = 0) const {
    if (!vm.count("data")) throw std::invalid_argument("this mode encodes test images: give --data FILE");
    return load_for_model(vm["data"].as<std::string>(), "test", limit, lm, vm["checkpoint"].as<std::string>());
  }
  void require_prior(const char* mode) const {
    if (!lm.spec.variational)
      throw std::invalid_argument(std::string(mode) + " draws from the prior N(0, I), which only a variational model has; this one is " +
                                  lm.spec.recipe);
  }
  // Labels for n decoded codes: --class, else the given ones, else cycling through the classes.
  std::vector<std::int32_t> labels(std::int64_t n, std::vector<std::int32_t> given = {}) const {
    if (!lm.spec.conditional) return {};
    const std::int32_t c = cls();
    if (c >= 0 || given.empty()) {
      given.resize(static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i) given[static_cast<std::size_t>(i)] = c >= 0 ? c : static_cast<std::int32_t>(i % lm.spec.classes);
    }
    return given;
  }
  // A PNG grid of what the model gives back (the values it works in), or, for an
  // --out ending in .h5, the decoded rows in the data's own units (the model's
  // scaling inverted) beside their codes.
  void picture(const Codes& z, const std::vector<std::int32_t>& labels, int rows, const GridText* text = nullptr) const {
    const std::int64_t n = static_cast<std::int64_t>(z.size()) / code();
    Tensor<float> images = decode(lm.spec, lm.params, z.data(), labels, n, threads());
    const std::string out = vm["out"].as<std::string>();
    if (out.size() > 3 && out.compare(out.size() - 3, 3, ".h5") == 0) {
      lm.checkpoint.scaling.invert(images.ptr(), n);
      io::ArraysFile file;
      file.floats.emplace_back("/x", std::move(images));
      file.floats.emplace_back("/codes", Tensor<float>({n, code()}, z));
      if (!labels.empty()) file.ints.emplace_back("/labels", labels);
      file.attributes = {{"checkpoint", vm["checkpoint"].as<std::string>()}, {"model", lm.spec.recipe},
                         {"units", lm.checkpoint.scaling.empty() ? "as stored" : "the data's own (scaling inverted)"}};
      io::write_arrays(out, file);
      std::cout << "wrote " << out << ": /x " << n << " x " << lm.spec.features << ", /codes\n";
      return;
    }
    if (lm.spec.image_shape.size() != 3)
      throw std::invalid_argument("the model's data have no image shape to draw: give --out FILE.h5 for the values");
    images.shape = {n, lm.spec.image_shape[0], lm.spec.image_shape[1], lm.spec.image_shape[2]};
    const int cols = static_cast<int>((n + rows - 1) / rows);
    const bool labelled = text && !vm["bare"].as<bool>() && (images.shape[1] == 1 || images.shape[1] == 3);
    if (labelled && (ends_with(out, ".png") || ends_with(out, ".svg"))) {
      plot::save(grid_figure({.images = std::move(images), .rows = rows, .cols = cols, .col_labels = text->col_labels,
                              .row_labels = text->row_labels, .x_label = text->x_label, .y_label = text->y_label,
                              .title = text->title}),
                 out);
      std::cout << "wrote " << out << ": " << rows << " x " << cols << " images, with axes\n";
      return;
    }
    write_image_grid(out, images, rows, cols, grid_scale(vm));
    std::cout << "wrote " << out << ": " << rows << " x " << (n + rows - 1) / rows << " images\n";
  }
};

void sample(const Job& j) {
  j.require_prior("--sample");
  const std::int64_t n = j.vm["sample"].as<std::int64_t>();
  if (n < 1 || n > 4096) throw std::invalid_argument("--sample must be between 1 and 4096");
  Rng rng(j.vm["seed"].as<std::uint64_t>());
  const Codes z = prior_samples(n, j.code(), rng);
  // A conditional model without --class: one row per class.
  const int rows = j.lm.spec.conditional && j.cls() < 0 ? static_cast<int>(j.lm.spec.classes) : 0;
  std::vector<std::int32_t> labels = j.labels(n);
  if (rows > 0)
    for (std::int64_t i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i * rows / n);
  j.picture(z, labels, rows > 0 ? rows : static_cast<int>(std::max<std::int64_t>(1, std::llround(std::sqrt(double(n))))));
}

void interpolate_pair(const Job& j) {
  const std::string spec = j.vm["interpolate"].as<std::string>();
  const auto comma = spec.find(',');
  std::int64_t a = -1, b = -1;
  try {
    if (comma == std::string::npos) throw std::invalid_argument("");
    std::size_t used = 0;
    a = std::stoll(spec.substr(0, comma), &used);
    if (used != comma) throw std::invalid_argument("");
    b = std::stoll(spec.substr(comma + 1), &used);
    if (used != spec.size() - comma - 1) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw std::invalid_argument("--interpolate expects I,J (two test-sample numbers), got '" + spec + "'");
  }
  if (a < 0 || b < 0) throw std::invalid_argument("--interpolate: sample numbers must not be negative");
  const io::SplitArrays xs = j.data(std::max(a, b) + 1);
  if (xs.x.shape[0] <= std::max(a, b))
    throw std::invalid_argument("--interpolate: the test set has only " + std::to_string(xs.x.shape[0]) + " samples");
  const Tensor<float> codes = encode(j.lm.spec, j.lm.params, xs.x.ptr(), xs.y, xs.x.shape[0], j.threads());
  const std::int64_t steps = j.steps(10);
  const Codes z = interpolate(codes.ptr() + a * j.code(), codes.ptr() + b * j.code(), j.code(), steps);
  const std::int32_t la = xs.y.empty() ? 0 : xs.y[static_cast<std::size_t>(a)];
  // Which test images the strip joins, with their classes when the file has labels.
  const std::vector<std::string> names = io::describe(j.vm["data"].as<std::string>()).class_names;
  auto image = [&](std::int64_t i) {
    return "test image " + std::to_string(i) +
           (xs.y.empty() ? "" : " (" + class_name(names, xs.y[static_cast<std::size_t>(i)]) + ")");
  };
  GridText text;
  for (std::int64_t s = 0; s < steps; ++s)
    text.col_labels.push_back(s == 0 ? "#" + std::to_string(a) : s == steps - 1 ? "#" + std::to_string(b)
                                                                               : number(double(s) / double(steps - 1)));
  text.x_label = "t along the line (1 - t) z_" + std::to_string(a) + " + t z_" + std::to_string(b) + " between their codes";
  text.title = j.lm.spec.recipe + ": " + image(a) + " \u2192 " + image(b);
  j.picture(z, j.labels(steps, std::vector<std::int32_t>(static_cast<std::size_t>(steps), la)), 1, &text);
}

void traverse_unit(const Job& j) {
  const std::int64_t dim = j.vm["traverse"].as<std::int64_t>();
  const std::int64_t steps = j.steps(11), rows = j.vm["rows"].as<std::int64_t>();
  if (rows < 1 || rows > 64) throw std::invalid_argument("--rows must be between 1 and 64");
  if (dim < 0 || dim >= j.code())
    throw std::invalid_argument("--traverse " + std::to_string(dim) + ": the code has units 0.." + std::to_string(j.code() - 1));
  Codes bases;
  std::vector<float> values;
  std::vector<std::int32_t> base_labels;
  if (j.vm.count("data")) {  // rows start from test images; the unit spans its test-set range
    const io::SplitArrays xs = j.data();
    const Tensor<float> codes = encode(j.lm.spec, j.lm.params, xs.x.ptr(), xs.y, xs.x.shape[0], j.threads());
    bases.assign(codes.data.begin(), codes.data.begin() + std::min(rows, xs.x.shape[0]) * j.code());
    const std::vector<float> sorted = sorted_unit(codes.ptr(), xs.x.shape[0], j.code(), dim);
    for (std::int64_t s = 0; s < steps; ++s)
      values.push_back(static_cast<float>(empirical_quantile(sorted, 0.02 + 0.96 * double(s) / double(steps - 1))));
    for (std::int64_t r = 0; r < std::min(rows, xs.x.shape[0]) && !xs.y.empty(); ++r) base_labels.push_back(xs.y[static_cast<std::size_t>(r)]);
  } else {  // rows are prior draws; the unit spans -3..3 standard deviations
    j.require_prior("--traverse without --data");
    Rng rng(j.vm["seed"].as<std::uint64_t>());
    bases = prior_samples(rows, j.code(), rng);
    for (std::int64_t s = 0; s < steps; ++s) values.push_back(static_cast<float>(-3.0 + 6.0 * double(s) / double(steps - 1)));
  }
  const Codes z = traverse(bases, j.code(), dim, values);
  const std::int64_t n_rows = static_cast<std::int64_t>(bases.size()) / j.code();
  std::vector<std::int32_t> labels;
  for (std::int64_t r = 0; r < n_rows; ++r)
    for (std::int64_t s = 0; s < steps; ++s)
      labels.push_back(base_labels.empty() ? static_cast<std::int32_t>(r % j.lm.spec.classes) : base_labels[static_cast<std::size_t>(r)]);
  j.picture(z, j.labels(n_rows * steps, labels), static_cast<int>(n_rows));
}

void manifold(const Job& j) {
  if (j.code() != 2)
    throw std::invalid_argument("--manifold needs a 2-D code (for example --model vae-2d); this model's code has " +
                                std::to_string(j.code()) + " units");
  const std::int64_t steps = j.steps(15);
  Codes z;
  std::string where;
  if (j.lm.spec.variational) {
    z = manifold_grid(steps, normal_quantile, normal_quantile);
    where = "at quantiles (k + 0.5) / " + std::to_string(steps) + " of the prior N(0, 1)";
  } else {  // no prior: walk the test codes' own quantiles
    if (!j.vm.count("data"))
      throw std::invalid_argument("--manifold of a model without a prior walks the test codes' quantiles: give --data FILE");
    const io::SplitArrays xs = j.data();
    const Tensor<float> codes = encode(j.lm.spec, j.lm.params, xs.x.ptr(), xs.y, xs.x.shape[0], j.threads());
    const std::vector<float> sx = sorted_unit(codes.ptr(), xs.x.shape[0], 2, 0), sy = sorted_unit(codes.ptr(), xs.x.shape[0], 2, 1);
    z = manifold_grid(steps, [&](double p) { return empirical_quantile(sx, p); }, [&](double p) { return empirical_quantile(sy, p); });
    where = "at quantiles (k + 0.5) / " + std::to_string(steps) + " of the test codes";
  }
  // manifold_grid's row r, column c decodes (z[2c], z[2c + 1]) of row 0 and (z[..], z[2 (r steps) + 1]) of column 0.
  GridText text;
  const std::string unit = j.lm.spec.variational ? "z " : "code unit ";
  for (std::int64_t c = 0; c < steps; ++c) text.col_labels.push_back(number(z[static_cast<std::size_t>(2 * c)]));
  for (std::int64_t r = 0; r < steps; ++r) text.row_labels.push_back(number(z[static_cast<std::size_t>(2 * r * steps + 1)]));
  text.x_label = unit + "0, " + where;
  text.y_label = unit + "1";
  text.title = j.lm.spec.recipe + ": images decoded over the 2-D code, " + j.vm["checkpoint"].as<std::string>();
  j.picture(z, j.labels(steps * steps), static_cast<int>(steps), &text);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-generate options (one of --sample, --interpolate, --traverse, --manifold)");
  opts.add_options()
      ("checkpoint", po::value<std::string>()->default_value("model.h5"), "checkpoint (ae-train --out)")
      ("sample", po::value<std::int64_t>(), "N: decode N draws from the prior (variational models)")
      ("interpolate", po::value<std::string>(), "I,J: decode the straight line between the codes of test samples I and J (needs --data)")
      ("traverse", po::value<std::int64_t>(), "DIM: vary code unit DIM along each row (over its test-set range with --data, else -3..3 under the prior)")
      ("manifold", po::bool_switch(), "decode a grid over a 2-D code through the prior's inverse CDF (the test codes' quantiles for models without a prior)")
      ("steps", po::value<std::int64_t>(), "images along a line or grid side (default 10 interpolate, 11 traverse, 15 manifold)")
      ("rows", po::value<std::int64_t>()->default_value(8), "rows for --traverse")
      ("class", po::value<std::int32_t>(), "class to generate, for a conditional model (default: one row per class)")
      ("data", po::value<std::string>(), "dataset file whose test images --interpolate/--traverse encode")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed for prior draws")
      ("threads", po::value<int>()->default_value(2), "threads")
      ("out", po::value<std::string>()->default_value("generated.png"), "PNG grid to write (the values the model works in); "
                                                                         "FILE.h5: /x in the data's own units and /codes; "
                                                                         "--manifold and --interpolate draw axes and labels (.png or .svg)")
      ("bare", po::bool_switch(), "--manifold and --interpolate: the images alone, without axes and labels");
  add_scale_option(opts);
  return run_app("ae-generate", "--checkpoint CKPT (--sample N | --interpolate I,J | --traverse DIM | --manifold) --out FILE.png",
                 argc, argv, opts, [](const po::variables_map& vm) {
    const int modes = static_cast<int>(vm.count("sample") + vm.count("interpolate") + vm.count("traverse")) +
                      (vm["manifold"].as<bool>() ? 1 : 0);
    if (modes != 1) throw std::invalid_argument("give exactly one of --sample, --interpolate, --traverse, --manifold");
    LoadedModel lm = load_model(vm["checkpoint"].as<std::string>());
    const Job j{vm, lm};
    (void)j.cls();  // refuse a bad --class before any work
    (void)grid_scale(vm);
    if (vm.count("sample")) sample(j);
    else if (vm.count("interpolate")) interpolate_pair(j);
    else if (vm.count("traverse")) traverse_unit(j);
    else manifold(j);
    return 0;
  });
}
