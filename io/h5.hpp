// PRIVATE to aegraph_io: include from io/*.cpp only (it pulls in hdf5.h).
// An RAII handle for hid_t and the few HDF5 helpers the io files share.
// Every failure throws DataError whose message starts with the context given
// ("file.h5: /train/x") and ends with the innermost HDF5 error text.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.hpp"
#include "io/error.hpp"

namespace aeg::io::h5 {

// Turn off HDF5's automatic error printing on this thread (the error stack is
// per thread). Cheap: call at the top of every entry point and in worker tasks.
void quiet();

// The innermost description on this thread's HDF5 error stack, or "".
std::string error_text();

[[noreturn]] void fail(const std::string& context, const std::string& what);

class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Id(Id&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      closer_ = o.closer_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { reset(); }

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: pass straight to the C API
  bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  // Close now and report failure (matters for files being written).
  void close(const std::string& context);

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Wrap a fresh identifier; throw (context + HDF5 text) when it is negative.
Id file(hid_t id, const std::string& context);
Id group(hid_t id, const std::string& context);
Id dataset(hid_t id, const std::string& context);
Id space(hid_t id, const std::string& context);
Id type(hid_t id, const std::string& context);
Id attr(hid_t id, const std::string& context);
Id plist(hid_t id, const std::string& context);
void check(herr_t status, const std::string& context);

// Open an existing file. Throws "<path>: no such file" / "is not an HDF5 file".
Id open_file(const std::string& path, bool write = false);
// Create (truncate) a file for writing.
Id create_file(const std::string& path);
// A file built in memory (HDF5's core driver, no backing store): nothing reaches
// the disk until write_image writes its bytes with plain checked writes. Why: when
// HDF5 itself meets a full disk, it keeps a half-written file open and crashes
// closing it at exit; checkpoints and result files are small enough to build in memory.
Id create_memory_file(const std::string& name);
// Flushes `file` (made by create_memory_file) and writes its bytes to `path`.
void write_image(hid_t file, const std::string& path);

// True when every component of the absolute/relative link path exists.
bool exists(hid_t loc, const std::string& path);
bool is_dataset(hid_t loc, const std::string& path);
bool is_group(hid_t loc, const std::string& path);

Shape dims(hid_t dataset_or_space);

// Declared sizes are untrusted: throws DataError (context + what) unless the file
// holds data for every element `d` declares (every chunk written, or contiguous
// storage of the declared bytes), so nothing is allocated for a size a few bytes claim.
void check_written(hid_t d, const std::string& context);

// Link creation list that makes missing intermediate groups.
Id intermediate_groups();

// Attributes on any object.
bool has_attr(hid_t obj, const std::string& name);
double read_attr_double(hid_t obj, const std::string& name, const std::string& context);
std::vector<std::int64_t> read_attr_ints(hid_t obj, const std::string& name,
                                         const std::string& context);
std::string read_attr_string(hid_t obj, const std::string& name, const std::string& context);
std::vector<std::string> read_attr_strings(hid_t obj, const std::string& name,
                                           const std::string& context);
void write_attr(hid_t obj, const std::string& name, double v);
void write_attr(hid_t obj, const std::string& name, std::int64_t v);
void write_attr(hid_t obj, const std::string& name, const std::vector<std::int64_t>& v);
void write_attr(hid_t obj, const std::string& name, const std::string& v);
void write_attr(hid_t obj, const std::string& name, const std::vector<std::string>& v);

// Scalar/1-D datasets of strings and numbers (variable-length UTF-8 strings).
void write_string(hid_t loc, const std::string& path, const std::string& v);
std::string read_string(hid_t loc, const std::string& path, const std::string& context);

// A dataset of the given shape (rank 0 = scalar), contiguous, no filters.
void write_array(hid_t loc, const std::string& path, hid_t mem_type, hid_t file_type,
                 const Shape& shape, const void* data);

// Class of a dataset's element type: "uint8", "int32", "float32", ... for messages.
std::string type_name(hid_t type);

}  // namespace aeg::io::h5
