#include "train/run_settings.hpp"

#include <sstream>
#include <stdexcept>

namespace aeg::train {

std::string to_text(const RunSettings& s) {
  std::ostringstream os;
  os << "batch = " << s.batch << "\nseed = " << s.seed << "\ntrain_limit = " << s.train_limit
     << "\ntest_limit = " << s.test_limit << "\nonly_class = " << s.only_class
     << "\ndrop_last = " << (s.drop_last ? "true" : "false") << "\n";
  return os.str();
}

namespace {

template <class T>
T number(const std::string& value, const std::string& line, const std::string& where) {
  std::istringstream is(value);
  T v{};
  if (!(is >> v) || !is.eof()) throw std::invalid_argument(where + ": '" + line + "' does not hold a number");
  return v;
}

}  // namespace

RunSettings parse_run_settings(const std::string& text, const std::string& where) {
  RunSettings s;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) throw std::invalid_argument(where + ": '" + line + "' is not 'key = value'");
    const std::string key = line.substr(0, eq), value = line.substr(eq + 3);
    if (key == "batch") s.batch = number<std::int64_t>(value, line, where);
    else if (key == "seed") s.seed = number<std::uint64_t>(value, line, where);
    else if (key == "train_limit") s.train_limit = number<std::int64_t>(value, line, where);
    else if (key == "test_limit") s.test_limit = number<std::int64_t>(value, line, where);
    else if (key == "only_class") s.only_class = number<std::int32_t>(value, line, where);
    else if (key == "drop_last") {
      if (value != "true" && value != "false") throw std::invalid_argument(where + ": '" + line + "', expected true or false");
      s.drop_last = value == "true";
    } else {
      throw std::invalid_argument(where + ": unknown setting '" + key + "'");
    }
  }
  if (s.batch < 1) throw std::invalid_argument(where + ": batch " + std::to_string(s.batch) + ", expected at least 1");
  return s;
}

std::vector<std::string> differences(const RunSettings& now, const RunSettings& before) {
  std::vector<std::string> out;
  auto diff = [&](const char* option, const auto& a, const auto& b) {
    if (a == b) return;
    std::ostringstream os;
    os << std::boolalpha << option << " " << a << " (the checkpoint trained with " << b << ")";
    out.push_back(os.str());
  };
  diff("--batch", now.batch, before.batch);
  diff("--seed", now.seed, before.seed);
  diff("--train-limit", now.train_limit, before.train_limit);
  diff("--test-limit", now.test_limit, before.test_limit);
  diff("--only-class", now.only_class, before.only_class);
  diff("--drop-last", now.drop_last, before.drop_last);
  return out;
}

}  // namespace aeg::train
