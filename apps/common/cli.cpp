#include "apps/common/cli.hpp"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <typeinfo>


namespace po = boost::program_options;

namespace aeg::apps {

namespace {

namespace fs = std::filesystem;

// Options that name files a command reads, and files it writes, across every app.
constexpr const char* kInputs[] = {"data", "checkpoint", "csv", "train-images", "train-labels", "test-images", "test-labels"};
constexpr const char* kOutputs[] = {"out", "plot", "anomaly", "reconstructions", "stepper"};

std::string path_of(const po::variables_map& vm, const char* name) {
  if (!vm.count(name) || vm[name].value().type() != typeid(std::string)) return {};
  return vm[name].as<std::string>();
}

// An output that names one of the command's inputs (after links and ..) would
// destroy it; a folder that is missing or not writable would fail only after the
// work is done. Both are refused before anything runs.
void check_outputs(const po::variables_map& vm) {
  for (const char* o : kOutputs) {
    const std::string out = path_of(vm, o);
    if (out.empty() || out == "-") continue;
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(out, ec);
    for (const char* i : kInputs) {
      const std::string in = path_of(vm, i);
      if (in.empty()) continue;
      const bool same = fs::exists(in) && fs::exists(out) ? fs::equivalent(in, out, ec) : fs::weakly_canonical(in, ec) == target;
      if (same)
        throw std::invalid_argument("--" + std::string(o) + " " + out + " is the --" + i + " file: writing it would destroy the input");
    }
    const fs::path folder = target.parent_path().empty() ? fs::current_path() : target.parent_path();
    if (!fs::is_directory(folder, ec))
      throw std::invalid_argument("--" + std::string(o) + " " + out + ": the folder " + folder.string() + " does not exist");
    if (access(folder.c_str(), W_OK) != 0)
      throw std::invalid_argument("--" + std::string(o) + " " + out + ": the folder " + folder.string() + " is not writable");
  }
}

}  // namespace

void add_scale_option(po::options_description& options) {
  options.add_options()("scale", po::value<int>(), "draw each pixel of an image grid N x N, nearest neighbour (default: 3 "
                                                   "for images up to 32 pixels a side, so 28 x 28 is readable; else 1; "
                                                   "pictures with axes keep their own size)");
}

int grid_scale(const po::variables_map& vm) {
  if (!vm.count("scale")) return 0;
  const int s = vm["scale"].as<int>();
  if (s < 1 || s > 64) throw std::invalid_argument("--scale must be between 1 and 64");
  return s;
}

int run_app(const std::string& app, const std::string& usage, int argc, char** argv,
            po::options_description& options, const std::function<int(const po::variables_map&)>& body) {
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << app << ": " << e.what() << "\n(see " << app << " --help)\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: " << app << " " << usage << "\n\n" << options << "\n";
    return 0;
  }
  // Options every app that has them checks the same way.
  try {
    check_outputs(vm);
  } catch (const std::invalid_argument& e) {
    std::cerr << app << ": " << e.what() << "\n";
    return 2;
  }
  if (vm.count("threads") && vm["threads"].value().type() == typeid(int) && vm["threads"].as<int>() < 1) {
    std::cerr << app << ": --threads must be at least 1, got " << vm["threads"].as<int>() << "\n";
    return 2;
  }
  try {
    return body(vm);
  } catch (const std::invalid_argument& e) {
    std::cerr << app << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << app << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace aeg::apps
