// IDX through the gzip path (io/idx.hpp): the input is the decompressed content,
// gzipped here, so the fuzzer explores IDX headers and sizes behind a valid gzip
// stream (fuzz_idx mutates the compressed bytes themselves).
#include <zlib.h>

#include <cstdlib>

#include "fuzz/bytes_file.hpp"
#include "io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = aeg::fuzz::scratch_path("idx.gz");
  gzFile f = gzopen(path.c_str(), "wb1");
  if (!f || (size && gzwrite(f, data, static_cast<unsigned>(size)) != static_cast<int>(size)) || gzclose(f) != Z_OK)
    std::abort();
  try {
    const aeg::io::Idx idx = aeg::io::read_idx(path);
    std::size_t n = 1;
    for (auto d : idx.dims) n *= static_cast<std::size_t>(d);
    if (n != idx.data.size() || idx.data.size() + 4 + 4 * idx.dims.size() != size) std::abort();
  } catch (const aeg::io::DataError&) {
  }
  return 0;
}
