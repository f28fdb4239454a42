#include "io/chunk_decode.hpp"

#include <zlib.h>

#include <cstring>

#include "io/error.hpp"

namespace aeg::io {

ChunkFilters chunk_filters(hid_t dcpl, hid_t stored_type) {
  ChunkFilters f;
  const bool u8 = H5Tequal(stored_type, H5T_STD_U8LE) > 0, f32 = H5Tequal(stored_type, H5T_IEEE_F32LE) > 0;
  if (!u8 && !f32) return f;
  f.elem = u8 ? 1 : 4;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, values[8] = {};
    std::size_t nvalues = 8;
    char name[64] = {};
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &nvalues, values, sizeof name, name, nullptr);
    if (id == H5Z_FILTER_SHUFFLE && !f.shuffle && !f.deflate) {
      f.shuffle = true;
      f.shuffle_bit = i;
    } else if (id == H5Z_FILTER_DEFLATE && !f.deflate) {
      f.deflate = true;
      f.deflate_bit = i;
    } else {
      return f;  // another filter, or these in another order
    }
  }
  f.usable = true;
  return f;
}

std::size_t max_stored_bytes(const ChunkFilters& f, std::size_t out_bytes) {
  return f.deflate ? static_cast<std::size_t>(compressBound(static_cast<uLong>(out_bytes))) : out_bytes;
}

void decode_chunk(const ChunkFilters& f, std::uint32_t mask, const unsigned char* raw, std::size_t raw_bytes,
                  unsigned char* out, std::size_t out_bytes, const std::string& where) {
  const bool inflate = f.deflate && !(mask & (1u << f.deflate_bit));
  const bool unshuffle = f.shuffle && f.elem > 1 && !(mask & (1u << f.shuffle_bit));
  thread_local std::vector<unsigned char> scratch;
  unsigned char* inflated = out;
  if (unshuffle) {
    scratch.resize(out_bytes);
    inflated = scratch.data();
  }
  if (inflate) {
    uLongf len = static_cast<uLongf>(out_bytes);
    const int rc = uncompress(inflated, &len, raw, static_cast<uLong>(raw_bytes));
    if (rc != Z_OK || len != out_bytes)
      throw DataError(where + ": a chunk does not inflate to its " + std::to_string(out_bytes) + " bytes (zlib " +
                               std::to_string(rc) + ")");
  } else {
    if (raw_bytes != out_bytes)
      throw DataError(where + ": a chunk holds " + std::to_string(raw_bytes) + " bytes, expected " + std::to_string(out_bytes));
    std::memcpy(inflated, raw, out_bytes);
  }
  if (unshuffle) {  // byte k of every value was stored together, plane after plane
    const std::size_t values = out_bytes / f.elem;
    for (std::size_t k = 0; k < f.elem; ++k) {
      const unsigned char* plane = inflated + k * values;
      for (std::size_t v = 0; v < values; ++v) out[v * f.elem + k] = plane[v];
    }
  }
}

}  // namespace aeg::io
