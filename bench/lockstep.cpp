// ae-lockstep: the `undercomplete` recipe (or `sparse-l1`) started from parameters another
// implementation wrote, trained on the training images in file order, and compared with
// that implementation's parameters after the same steps. With bench/reference/undercomplete.cpp
// --lockstep (libtorch), it tells a difference of code from a difference of seeds:
//   bash bench/lockstep.sh
// Files: float32 enc0/W (32 x 784), enc0/b, dec0/W (784 x 32), dec0/b, back to back.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "apps/common/cli.hpp"
#include "train/evaluate.hpp"
#include "engine/executor.hpp"
#include "engine/optim.hpp"
#include "io/batch_reader.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/model.hpp"

namespace po = boost::program_options;
using namespace aeg;

namespace {

const char* const kNames[] = {"enc0/W", "enc0/b", "dec0/W", "dec0/b"};

std::vector<std::vector<float>> read_params(const std::string& path, ParamStore<float>& ps) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::invalid_argument(path + ": cannot open");
  std::vector<std::vector<float>> r;
  for (const char* n : kNames) {
    std::vector<float> v(ps.at(n).value.data.size());
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    r.push_back(std::move(v));
  }
  if (!f || f.peek() != std::char_traits<char>::eof())
    throw std::invalid_argument(path + ": expected " + std::to_string(784 * 32 * 2 + 32 + 784) + " float32 values");
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ae-lockstep options");
  opts.add_options()
      ("data", po::value<std::string>()->default_value("out/fashion-mnist.h5"), "dataset file (ae-import)")
      ("dir", po::value<std::string>()->default_value("."), "folder of init.bin and final.bin")
      ("steps", po::value<int>()->default_value(200), "steps of 256 images, in file order")
      ("model", po::value<std::string>()->default_value("undercomplete"), "undercomplete or sparse-l1");
  return apps::run_app("ae-lockstep", "--dir DIR --steps N", argc, argv, opts, [](const po::variables_map& vm) {
    const std::string recipe = vm["model"].as<std::string>(), dir = vm["dir"].as<std::string>();
    if (recipe != "undercomplete" && recipe != "sparse-l1") throw std::invalid_argument("--model: undercomplete or sparse-l1");
    const zoo::ModelSpec spec = zoo::recipe(recipe);
    const std::int64_t B = 256;
    const auto m = zoo::build(spec, B);
    const Plan plan = compile(m->graph, {m->loss});
    ParamStore<float> ps;
    Rng rng(1);
    ps.init_from(m->graph, rng);
    const auto init = read_params(dir + "/init.bin", ps);
    for (std::size_t i = 0; i < init.size(); ++i) std::copy(init[i].begin(), init[i].end(), ps.at(kNames[i]).value.data.begin());
    Executor<float> ex(plan, ps, {.threads = 1});
    Adam<float> opt(ps, zoo::adam_options(spec, 1e-3));
    const io::SplitArrays train = io::load_split(vm["data"].as<std::string>(), "train");
    const io::SplitArrays test = io::load_split(vm["data"].as<std::string>(), "test");
    const std::int64_t n = train.x.shape[0];
    for (int s = 0; s < vm["steps"].as<int>(); ++s) {
      std::memcpy(ex.input_data(m->x), train.x.ptr() + (s * B) % (n - B + 1) * 784, sizeof(float) * B * 784);
      opt.zero_grad();
      ex.forward();
      std::printf("step %d loss %.6f\n", s + 1, ex.scalar(m->loss));
      ex.backward();
      opt.step();
    }
    const auto ref = read_params(dir + "/final.bin", ps);
    for (std::size_t i = 0; i < ref.size(); ++i) {
      const auto& v = ps.at(kNames[i]).value.data;
      double diff = 0, scale = 0;
      for (std::size_t k = 0; k < v.size(); ++k) {
        diff = std::max(diff, std::fabs(static_cast<double>(v[k]) - ref[i][k]));
        scale = std::max(scale, std::fabs(static_cast<double>(ref[i][k])));
      }
      std::printf("%s: max |aegraph - reference| %.3g (max |reference| %.3g)\n", kNames[i], diff, scale);
    }
    const train::Metrics mt = train::evaluate(spec, ps, test.x.ptr(), test.y, test.x.shape[0], {.threads = 1});
    std::printf("dead code units on the test set: %lld\n", static_cast<long long>(mt.dead_code));
    return 0;
  });
}
