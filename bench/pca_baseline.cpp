// ae-pca: the PCA baseline for a real-valued dataset file, to set beside a
// linear autoencoder (bench/real_data.sh). The principal subspace of the
// training split (xtensor-blas's eigh of its covariance), in the units a model
// sees (the file's /scaling applied); for each k, the test split's mean squared
// error per feature after projecting onto the top k components, and, with
// --normal-class, the same fitted on that class's training rows only, scoring
// each test row by its error: the ROC AUC of telling the other classes from it.
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "analysis/anomaly.hpp"
#include "apps/common/cli.hpp"
#include "io/batch_reader.hpp"
#include "io/dataset.hpp"

namespace po = boost::program_options;
using namespace aeg;

namespace {

struct Pca {
  std::vector<double> mean;
  xt::xtensor<double, 2> components;  // features x features, by decreasing variance
};

Pca fit(const io::SplitArrays& s, const std::vector<char>& use) {
  const std::int64_t n = s.x.shape[0], f = s.x.shape[1];
  Pca p;
  p.mean.assign(static_cast<std::size_t>(f), 0.0);
  double rows = 0;
  for (std::int64_t i = 0; i < n; ++i)
    if (use[static_cast<std::size_t>(i)]) {
      rows += 1;
      for (std::int64_t j = 0; j < f; ++j) p.mean[static_cast<std::size_t>(j)] += s.x[i * f + j];
    }
  for (auto& m : p.mean) m /= rows;
  xt::xtensor<double, 2> cov = xt::zeros<double>({f, f});
  std::vector<double> d(static_cast<std::size_t>(f));
  for (std::int64_t i = 0; i < n; ++i) {
    if (!use[static_cast<std::size_t>(i)]) continue;
    for (std::int64_t j = 0; j < f; ++j) d[static_cast<std::size_t>(j)] = s.x[i * f + j] - p.mean[static_cast<std::size_t>(j)];
    for (std::int64_t a = 0; a < f; ++a)
      for (std::int64_t b = 0; b < f; ++b) cov(a, b) += d[static_cast<std::size_t>(a)] * d[static_cast<std::size_t>(b)];
  }
  cov /= rows;
  const xt::xtensor<double, 2> v = std::get<1>(xt::linalg::eigh(cov));  // ascending eigenvalues
  p.components = xt::zeros<double>({f, f});
  for (std::int64_t c = 0; c < f; ++c)
    for (std::int64_t j = 0; j < f; ++j) p.components(c, j) = v(j, f - 1 - c);
  return p;
}

// Per-row mean squared error per feature after projecting onto the top k components.
std::vector<float> errors(const Pca& p, const io::SplitArrays& s, std::int64_t k) {
  const std::int64_t n = s.x.shape[0], f = s.x.shape[1];
  std::vector<float> e(static_cast<std::size_t>(n));
  std::vector<double> d(static_cast<std::size_t>(f)), r(static_cast<std::size_t>(f));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < f; ++j) d[static_cast<std::size_t>(j)] = s.x[i * f + j] - p.mean[static_cast<std::size_t>(j)];
    r = d;
    for (std::int64_t c = 0; c < k; ++c) {
      double dot = 0;
      for (std::int64_t j = 0; j < f; ++j) dot += p.components(c, j) * d[static_cast<std::size_t>(j)];
      for (std::int64_t j = 0; j < f; ++j) r[static_cast<std::size_t>(j)] -= dot * p.components(c, j);
    }
    double sq = 0;
    for (double v : r) sq += v * v;
    e[static_cast<std::size_t>(i)] = static_cast<float>(sq / static_cast<double>(f));
  }
  return e;
}

double mean(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return s / static_cast<double>(v.size());
}

std::vector<std::int64_t> parse_codes(const std::string& s) {
  std::vector<std::int64_t> r;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) r.push_back(std::stoll(item));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-pca options");
  opts.add_options()
      ("data", po::value<std::string>()->required(), "dataset file with a train and a test split")
      ("codes", po::value<std::string>()->default_value("2,5,10"), "numbers of components k, comma-separated")
      ("normal-class", po::value<std::int32_t>(), "also fit on this class's training rows and print the ROC AUC of scoring the test rows by their error");
  return apps::run_app("ae-pca", "--data FILE [--codes 2,5,10] [--normal-class K]", argc, argv, opts, [](const po::variables_map& vm) {
    const std::string data = vm["data"].as<std::string>();
    const io::DatasetInfo info = io::describe(data);
    const io::FeedRules feed{info.scaling, {}};
    const io::SplitArrays train = io::load_split(data, "train", 0, feed), test = io::load_split(data, "test", 0, feed);
    const std::vector<std::int64_t> codes = parse_codes(vm["codes"].as<std::string>());
    for (auto k : codes)
      if (k < 1 || k > info.features) throw std::invalid_argument("--codes: k must be in 1.." + std::to_string(info.features));
    const Pca all = fit(train, std::vector<char>(train.y.size() ? train.y.size() : static_cast<std::size_t>(train.x.shape[0]), 1));
    for (auto k : codes)
      std::printf("{\"method\": \"pca\", \"k\": %lld, \"train_mse_px\": %.8g, \"test_mse_px\": %.8g}\n", static_cast<long long>(k),
                  mean(errors(all, train, k)), mean(errors(all, test, k)));
    if (vm.count("normal-class")) {
      const std::int32_t normal = vm["normal-class"].as<std::int32_t>();
      if (train.y.empty() || test.y.empty()) throw std::invalid_argument("--normal-class needs labels in both splits");
      std::vector<char> use(train.y.size());
      for (std::size_t i = 0; i < use.size(); ++i) use[i] = train.y[i] == normal;
      const Pca one = fit(train, use);
      std::vector<bool> anomalous(test.y.size());
      for (std::size_t i = 0; i < anomalous.size(); ++i) anomalous[i] = test.y[i] != normal;
      for (auto k : codes)
        std::printf("{\"method\": \"pca\", \"k\": %lld, \"normal_class\": %d, \"auroc\": %.6f}\n", static_cast<long long>(k), normal,
                    analysis::roc_auc(errors(one, test, k), anomalous));
    }
    return 0;
  });
}
