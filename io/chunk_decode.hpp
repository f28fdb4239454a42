// A dataset chunk decoded outside HDF5, so that many can be inflated at once on
// TBB tasks (HDF5 itself runs one call at a time): the raw chunk is fetched by
// H5Dread_chunk, then inflated (deflate) and unshuffled (shuffle) here. Only the
// layouts ae-import and h5py write by default are taken: no filter, deflate, or
// shuffle then deflate, on little-endian uint8 or float32; others go through H5Dread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <hdf5.h>

namespace aeg::io {

struct ChunkFilters {
  bool usable = false;     // decodable here
  bool shuffle = false, deflate = false;
  int shuffle_bit = -1, deflate_bit = -1;  // their bits in H5Dread_chunk's filter mask
  std::size_t elem = 1;    // bytes per value
};

// From the dataset's creation property list and its stored type.
ChunkFilters chunk_filters(hid_t dcpl, hid_t stored_type);

// The most bytes a chunk of `out_bytes` decoded bytes can take as stored (what deflate
// writes for incompressible data): a larger stored size is a corrupt index, refused
// before anything is allocated for it.
std::size_t max_stored_bytes(const ChunkFilters& f, std::size_t out_bytes);

// raw (raw_bytes, as H5Dread_chunk gave it with `mask`) to out (out_bytes, the
// chunk's full decoded size). Throws DataError naming `where` on corrupt data: it runs on the
// reader's TBB tasks, which hand the exception to the thread that asked for the rows.
void decode_chunk(const ChunkFilters& f, std::uint32_t mask, const unsigned char* raw, std::size_t raw_bytes,
                  unsigned char* out, std::size_t out_bytes, const std::string& where);

}  // namespace aeg::io
