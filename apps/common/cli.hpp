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

}  // namespace aeg::apps
