#include "io/memory_budget.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace aeg::io {

std::int64_t default_data_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024 / 2;
  return std::int64_t{1} << 30;
}

std::int64_t parse_memory_size(const std::string& text, const std::string& what) {
  auto bad = [&] {
    return std::invalid_argument(what + " '" + text + "' is not a size: expected bytes or a number with K, M or G (e.g. 512M, 2G), at least 1M");
  };
  std::istringstream s(text);
  double v = 0;
  if (!(s >> v) || !std::isfinite(v) || v <= 0) throw bad();
  std::string unit;
  s >> unit;
  double mult = 1;
  if (unit == "K" || unit == "k" || unit == "KiB") mult = 1024.0;
  else if (unit == "M" || unit == "m" || unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "g" || unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (!unit.empty()) throw bad();
  std::string rest;
  if (s >> rest) throw bad();
  const double bytes = v * mult;
  if (bytes < 1024.0 * 1024 || bytes > 9.0e18) throw bad();
  return static_cast<std::int64_t>(bytes);
}

std::string format_bytes(std::int64_t bytes) {
  char b[32];
  const double v = static_cast<double>(bytes);
  if (v >= 1024.0 * 1024 * 1024) std::snprintf(b, sizeof b, "%.1f GiB", v / (1024.0 * 1024 * 1024));
  else if (v >= 1024.0 * 1024) std::snprintf(b, sizeof b, "%.0f MiB", v / (1024.0 * 1024));
  else std::snprintf(b, sizeof b, "%.0f KiB", v / 1024.0);
  return b;
}

}  // namespace aeg::io
