// The one exception aegraph_io throws for bad or unreadable files. Its message
// names the file, the object inside it (e.g. "/train/x") and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace aeg::io {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace aeg::io
