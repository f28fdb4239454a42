#include "apps/common/cli.hpp"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <typeinfo>

#include "engine/blas_core.hpp"

namespace po = boost::program_options;

namespace aeg::apps {

int run_app(const std::string& app, const std::string& usage, int argc, char** argv,
            po::options_description& options, const std::function<int(const po::variables_map&)>& body) {
  // OpenBLAS chose its kernels before main; where it fell back to its generic ones,
  // run this program again naming better ones (once: the variable is set then).
  if (!std::getenv("OPENBLAS_CORETYPE"))
    if (const std::string core = blas_core_upgrade(); !core.empty()) {
      setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
      execv("/proc/self/exe", argv);  // returns only on failure: go on with the slow kernels
    }
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
