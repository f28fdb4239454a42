#include <algorithm>
#include <string>
#include <vector>

#include "engine/op.hpp"

namespace aeg {

static std::vector<std::string>& names() {
  static std::vector<std::string> n;  // function-local: safe across static-init order
  return n;
}

OpRegistrar::OpRegistrar(const char* name) { names().emplace_back(name); }

std::vector<std::string> registered_ops() {
  auto r = names();
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
  return r;
}

}  // namespace aeg
