// IDX files (the MNIST format), plain or gzip-compressed: a magic of two zero
// bytes, a type byte (only 0x08, unsigned byte, is supported), a rank byte,
// then rank big-endian uint32 dimensions and the data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/error.hpp"

namespace aeg::io {

struct Idx {
  std::vector<std::int64_t> dims;  // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> data;  // product(dims) bytes, row-major
};

// Throws DataError naming the file and the expectation: empty file, wrong magic,
// unsupported type, data shorter or longer than the dimensions say, bad gzip.
Idx read_idx(const std::string& path);

}  // namespace aeg::io
