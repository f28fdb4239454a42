// The model spec text a checkpoint stores as /spec (zoo/spec.hpp): parsed, checked
// and written back. Anything may be refused with std::invalid_argument; what is
// accepted must come back from to_text() the same, and validate() must either
// accept it or name the problem.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "zoo/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  aeg::zoo::ModelSpec spec;
  try {
    spec = aeg::zoo::parse_spec(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  const std::string once = aeg::zoo::to_text(spec);
  if (aeg::zoo::to_text(aeg::zoo::parse_spec(once)) != once) std::abort();  // the round trip must hold
  try {
    aeg::zoo::validate(spec);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
