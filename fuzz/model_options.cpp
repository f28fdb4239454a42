// The model options of ae-train and ae-graph (apps/common/model_options.hpp) as
// a user types them: each input line is one "--option=value" argument (a line
// without '=' is a bare argument), parsed by the apps' own option table, and the
// first line may be an image shape (--image-shape's parser). Anything may be
// refused with a message (boost's or std::invalid_argument); nothing may crash.
#include <boost/program_options.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/common/model_options.hpp"

namespace po = boost::program_options;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const po::options_description desc = [] {
    po::options_description d;
    aeg::apps::add_model_options(d);
    return d;
  }();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::string line;
  std::vector<std::string> args = {"ae-train"};
  std::vector<std::int64_t> image = {1, 28, 28};
  std::int64_t features = 784;
  bool first = true;
  while (std::getline(in, line)) {
    if (first && line.rfind("image-shape=", 0) == 0) {
      try {
        image = aeg::apps::parse_image_shape("image-shape", line.substr(12));
      } catch (const std::invalid_argument&) {
        return 0;
      }
      // The apps take the shape from a file whose rows hold C*H*W values: keep it small.
      if (image[0] > 64 || image[1] > 512 || image[2] > 512) return 0;
      features = image[0] * image[1] * image[2];
    } else {
      args.push_back(line.find('=') == std::string::npos ? line : "--" + line);
    }
    first = false;
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(static_cast<int>(argv.size()), argv.data()).options(desc).run(), vm);
    po::notify(vm);
    const aeg::zoo::ModelSpec s = aeg::apps::spec_from_options(vm, features, image);
    (void)aeg::zoo::to_text(s);
  } catch (const po::error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
