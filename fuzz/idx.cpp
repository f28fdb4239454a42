// IDX files as ae-import reads them (io/idx.hpp): the input is the file, plain or
// (starting 1f 8b) gzip. Anything may be refused with DataError; nothing may crash,
// read out of bounds, overflow, or allocate more than the file's size justifies.
#include <cstdlib>

#include "fuzz/bytes_file.hpp"
#include "io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = aeg::fuzz::scratch_path("idx");
  aeg::fuzz::write_bytes(path, data, size);
  try {
    const aeg::io::Idx idx = aeg::io::read_idx(path);
    std::size_t n = 1;
    for (auto d : idx.dims) n *= static_cast<std::size_t>(d);
    if (n != idx.data.size()) std::abort();  // accepted, yet the data do not fill the dimensions
  } catch (const aeg::io::DataError&) {
  }
  return 0;
}
