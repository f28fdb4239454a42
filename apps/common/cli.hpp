// What every app's main does around its work: parse options with a clear
// message for bad ones (exit 2), print --help, and turn errors into
// "<app>: <message>" on stderr (exit 1).
#pragma once
#include <functional>
#include <string>

#include <boost/program_options.hpp>

namespace aeg::apps {

int run_app(const std::string& app, const std::string& usage, int argc, char** argv,
            boost::program_options::options_description& options,
            const std::function<int(const boost::program_options::variables_map&)>& body);

// --scale N, for the apps that draw image grids (ae-train's recon.png, ae-generate, ae-denoise).
void add_scale_option(boost::program_options::options_description& options);
// The --scale given (1 to 64), or 0 (the grid's default: 3 for images up to 32
// pixels a side) where none was; throws std::invalid_argument on another value.
int grid_scale(const boost::program_options::variables_map& vm);

}  // namespace aeg::apps
