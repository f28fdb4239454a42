#include "io/idx.hpp"

#include <zlib.h>

#include <cstdio>
#include <filesystem>

namespace aeg::io {
namespace {

std::string hex(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02X", v & 0xFFu);
  return b;
}

bool gzip_magic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  unsigned char m[2] = {0, 0};
  const std::size_t n = std::fread(m, 1, 2, f);
  std::fclose(f);
  return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

// Whole (decompressed) contents via zlib; gzread passes plain files through too.
std::vector<std::uint8_t> slurp(const std::string& path, bool gz) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open for reading");
  gzbuffer(f, 1 << 17);
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> buf(1 << 20);
  for (;;) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int err = 0;
      const std::string msg = gzerror(f, &err);
      gzclose(f);
      throw DataError(path + ": " + (gz ? "gzip stream is corrupt (" : "read failed (") + msg + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  int err = 0;
  const std::string msg = gzerror(f, &err);
  gzclose(f);
  if (err != Z_OK && err != Z_BUF_ERROR)
    throw DataError(path + ": gzip stream is corrupt (" + msg + ")");
  if (gz && err == Z_BUF_ERROR)
    throw DataError(path + ": gzip stream is truncated (" + msg + ")");
  return out;
}

}  // namespace

Idx read_idx(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(path + ": no such file");
  const bool gz = gzip_magic(path);
  const std::vector<std::uint8_t> bytes = slurp(path, gz);
  const std::string what = path + (gz ? " (gzip)" : "");
  if (bytes.empty()) throw DataError(what + ": is empty, expected an IDX file (magic 00 00 08 <rank>)");
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    throw DataError(what + ": wrong magic " + hex(bytes[0]) + " " + hex(bytes.size() > 1 ? bytes[1] : 0) +
                    ", expected an IDX file starting 00 00 <type> <rank>");
  const unsigned type = bytes[2], rank = bytes[3];
  if (type != 0x08) {
    const char* names[] = {"", "", "", "", "", "", "", "", "unsigned byte", "signed byte", "", "short",
                           "int", "float", "double"};
    const std::string name = type < 15 && names[type][0] ? std::string(" (") + names[type] + ")" : "";
    throw DataError(what + ": IDX type " + hex(type) + name +
                    " is not supported, expected 0x08 (unsigned byte)");
  }
  if (rank == 0) throw DataError(what + ": IDX rank 0, expected at least one dimension");
  const std::size_t header = 4 + 4 * std::size_t{rank};
  if (bytes.size() < header)
    throw DataError(what + ": truncated header, rank " + std::to_string(rank) + " needs " +
                    std::to_string(header) + " bytes, file has " + std::to_string(bytes.size()));
  Idx r;
  std::int64_t total = 1;
  std::string shape;
  for (unsigned i = 0; i < rank; ++i) {
    const std::uint8_t* p = bytes.data() + 4 + 4 * i;
    const std::int64_t d = (std::int64_t{p[0]} << 24) | (std::int64_t{p[1]} << 16) |
                           (std::int64_t{p[2]} << 8) | std::int64_t{p[3]};
    r.dims.push_back(d);
    shape += (i ? " x " : "") + std::to_string(d);
    // Declared sizes are untrusted: a product past 2^63 would wrap and could match a short file.
    if (__builtin_mul_overflow(total, d, &total))
      throw DataError(what + ": dimensions " + shape + "... describe more than 2^63 bytes; the file has " +
                      std::to_string(bytes.size() - header) + " bytes of data");
  }
  const std::int64_t have = static_cast<std::int64_t>(bytes.size() - header);
  if (have != total)
    throw DataError(what + ": dimensions " + shape + " need " + std::to_string(total) +
                    " bytes of data, the file has " + std::to_string(have) +
                    (have < total ? " (truncated)" : " (trailing bytes)"));
  r.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return r;
}

}  // namespace aeg::io
