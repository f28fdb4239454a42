#include "io/h5.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace aeg::io::h5 {

void quiet() {
  thread_local bool done = false;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
  }
}

namespace {

herr_t innermost(unsigned n, const H5E_error2_t* e, void* out) {
  if (n == 0 && e->desc) *static_cast<std::string*>(out) = e->desc;
  return 0;
}

Id wrap(hid_t id, Id::Closer closer, const std::string& context) {
  if (id < 0) fail(context, "HDF5 call failed");
  return Id(id, closer);
}

Id string_type(std::size_t size) {
  Id t = type(H5Tcopy(H5T_C_S1), "string type");
  check(H5Tset_size(t, size), "string type");
  if (size == H5T_VARIABLE) check(H5Tset_cset(t, H5T_CSET_UTF8), "string type");
  else check(H5Tset_strpad(t, H5T_STR_NULLPAD), "string type");
  return t;
}

Id open_attr(hid_t obj, const std::string& name, const std::string& context) {
  if (!has_attr(obj, name)) throw DataError(context + " has no attribute '" + name + "'");
  return attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), context + " attribute '" + name + "'");
}

std::int64_t npoints(hid_t a) {
  Id s = space(H5Aget_space(a), "attribute space");
  return H5Sget_simple_extent_npoints(s);
}

// Strings of an attribute or dataset (read via `reader`), variable or fixed length.
template <class Read>
std::vector<std::string> read_strings(hid_t file_type, hid_t file_space, std::int64_t n,
                                      Read&& reader, const std::string& context) {
  if (H5Tget_class(file_type) != H5T_STRING)
    throw DataError(context + " has type " + type_name(file_type) + ", expected a string");
  std::vector<std::string> out;
  if (n <= 0) return out;
  if (H5Tis_variable_str(file_type) > 0) {
    Id mt = string_type(H5T_VARIABLE);
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    check(reader(mt.get(), ptrs.data()), context);
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mt, file_space, H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t size = H5Tget_size(file_type);
    Id mt = string_type(size);
    std::vector<char> buf(size * static_cast<std::size_t>(n) + 1, '\0');
    check(reader(mt.get(), buf.data()), context);
    for (std::int64_t i = 0; i < n; ++i) {
      const char* b = buf.data() + i * size;
      std::size_t len = 0;
      while (len < size && b[len] != '\0') ++len;
      out.emplace_back(b, len);
    }
  }
  return out;
}

}  // namespace

std::string error_text() {
  std::string s;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &s);
  return s;
}

void fail(const std::string& context, const std::string& what) {
  const std::string detail = error_text();
  throw DataError(context + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

void Id::close(const std::string& context) {
  if (id_ < 0) return;
  const herr_t r = closer_ ? closer_(id_) : 0;
  id_ = H5I_INVALID_HID;
  if (r < 0) fail(context, "close failed");
}

Id file(hid_t id, const std::string& c) { return wrap(id, H5Fclose, c); }
Id group(hid_t id, const std::string& c) { return wrap(id, H5Gclose, c); }
Id dataset(hid_t id, const std::string& c) { return wrap(id, H5Dclose, c); }
Id space(hid_t id, const std::string& c) { return wrap(id, H5Sclose, c); }
Id type(hid_t id, const std::string& c) { return wrap(id, H5Tclose, c); }
Id attr(hid_t id, const std::string& c) { return wrap(id, H5Aclose, c); }
Id plist(hid_t id, const std::string& c) { return wrap(id, H5Pclose, c); }
void check(herr_t status, const std::string& context) {
  if (status < 0) fail(context, "HDF5 call failed");
}

Id open_file(const std::string& path, bool write) {
  quiet();
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!fs::exists(st)) throw DataError(path + ": no such file");
  if (fs::is_directory(st)) throw DataError(path + ": is a folder, expected an HDF5 file");
  const htri_t is = H5Fis_hdf5(path.c_str());
  if (is == 0) throw DataError(path + ": is not an HDF5 file");
  if (is < 0) fail(path, "cannot be read as HDF5");
  return file(H5Fopen(path.c_str(), write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT),
              path + ": cannot open");
}

Id create_file(const std::string& path) {
  quiet();
  return file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
              path + ": cannot create");
}

Id create_memory_file(const std::string& name) {
  quiet();
  Id fapl = plist(H5Pcreate(H5P_FILE_ACCESS), name + ": file access list");
  check(H5Pset_fapl_core(fapl, 1 << 20, 0), name + ": in-memory file");
  return file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), name + ": cannot create in memory");
}

void write_image(hid_t f, const std::string& path) {
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), path + ": flush");
  const ssize_t size = H5Fget_file_image(f, nullptr, 0);
  if (size < 0) fail(path + ": file image", "");
  std::vector<char> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(f, image.data(), image.size()) != size) fail(path + ": file image", "");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw DataError(path + ": cannot create (" + std::strerror(errno) + ")");
  std::size_t done = 0;
  while (done < image.size()) {
    const ssize_t w = ::write(fd, image.data() + done, image.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int e = w < 0 ? errno : ENOSPC;
      ::close(fd);
      throw DataError(path + ": write failed after " + std::to_string(done) + " of " + std::to_string(image.size()) +
                      " bytes (" + std::strerror(e) + ")");
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) throw DataError(path + ": close failed (" + std::strerror(errno) + ")");
}

bool exists(hid_t loc, const std::string& path) {
  quiet();
  std::size_t pos = path.empty() || path[0] != '/' ? 0 : 1;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    if (next > pos) {
      const std::string prefix = path.substr(0, next);
      if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    pos = next + 1;
  }
  return true;
}

namespace {
H5I_type_t object_type(hid_t loc, const std::string& path) {
  if (!exists(loc, path)) return H5I_BADID;
  const hid_t o = H5Oopen(loc, path.c_str(), H5P_DEFAULT);
  if (o < 0) return H5I_BADID;
  const H5I_type_t t = H5Iget_type(o);
  H5Oclose(o);
  return t;
}
}  // namespace

bool is_dataset(hid_t loc, const std::string& path) {
  return object_type(loc, path) == H5I_DATASET;
}
bool is_group(hid_t loc, const std::string& path) { return object_type(loc, path) == H5I_GROUP; }

Shape dims(hid_t id) {
  Id owned;
  hid_t s = id;
  if (H5Iget_type(id) == H5I_DATASET) {
    owned = space(H5Dget_space(id), "dataspace");
    s = owned;
  }
  const int rank = H5Sget_simple_extent_ndims(s);
  if (rank < 0) fail("dataspace", "cannot read rank");
  std::vector<hsize_t> d(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(s, d.data(), nullptr);
  return Shape(d.begin(), d.end());
}

void check_written(hid_t d, const std::string& context) {
  const Shape shape = dims(d);
  std::int64_t elements = 1;
  for (std::int64_t n : shape)  // a dimension past 2^63 reads as negative here
    if (n < 0 || __builtin_mul_overflow(elements, n, &elements))
      throw DataError(context + " declares more elements than any file can hold");
  if (elements == 0) return;
  Id t = type(H5Dget_type(d), context);
  const std::int64_t elem = static_cast<std::int64_t>(H5Tget_size(t));
  std::int64_t bytes = 0;
  if (__builtin_mul_overflow(elements, elem, &bytes))
    throw DataError(context + " declares more bytes than any file can hold");
  Id dcpl = plist(H5Dget_create_plist(d), context);
  const H5D_layout_t layout = H5Pget_layout(dcpl);
  if (layout == H5D_CONTIGUOUS) {
    const auto stored = static_cast<std::int64_t>(H5Dget_storage_size(d));
    if (stored < bytes)
      throw DataError(context + " declares shape " + to_string(shape) + " (" + std::to_string(bytes) +
                      " bytes) but the file holds " + std::to_string(stored) + " bytes of it");
  } else if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(shape.size());
    H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    std::int64_t expected = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      // Chunks along dimension i, rounded up without overflowing near 2^63.
      const std::int64_t c = std::max<std::int64_t>(1, static_cast<std::int64_t>(chunk[i]));
      if (__builtin_mul_overflow(expected, shape[i] / c + (shape[i] % c != 0), &expected))
        throw DataError(context + " declares more chunks than any file can hold");
    }
    hsize_t written = 0;
    Id space_id = space(H5Dget_space(d), context);
    check(H5Dget_num_chunks(d, space_id, &written), context + ": count chunks");
    // A fill value makes unwritten chunks valid HDF5, but not data: nobody wrote those rows.
    if (static_cast<std::int64_t>(written) < expected)
      throw DataError(context + " declares shape " + to_string(shape) + " in " + std::to_string(expected) +
                      " chunks, but only " + std::to_string(written) + " were ever written");
  }
}

Id intermediate_groups() {
  Id p = plist(H5Pcreate(H5P_LINK_CREATE), "link property list");
  check(H5Pset_create_intermediate_group(p, 1), "link property list");
  return p;
}

bool has_attr(hid_t obj, const std::string& name) {
  quiet();
  return H5Aexists(obj, name.c_str()) > 0;
}

double read_attr_double(hid_t obj, const std::string& name, const std::string& context) {
  Id a = open_attr(obj, name, context);
  Id t = type(H5Aget_type(a), context);
  const H5T_class_t c = H5Tget_class(t);
  if ((c != H5T_INTEGER && c != H5T_FLOAT) || npoints(a) != 1)
    throw DataError(context + " attribute '" + name + "' has type " + type_name(t) +
                    ", expected a single number");
  double v = 0;
  check(H5Aread(a, H5T_NATIVE_DOUBLE, &v), context + " attribute '" + name + "'");
  return v;
}

std::vector<std::int64_t> read_attr_ints(hid_t obj, const std::string& name,
                                         const std::string& context) {
  Id a = open_attr(obj, name, context);
  Id t = type(H5Aget_type(a), context);
  if (H5Tget_class(t) != H5T_INTEGER)
    throw DataError(context + " attribute '" + name + "' has type " + type_name(t) +
                    ", expected integers");
  std::vector<std::int64_t> v(static_cast<std::size_t>(npoints(a)));
  if (!v.empty()) check(H5Aread(a, H5T_NATIVE_INT64, v.data()), context);
  return v;
}

std::string read_attr_string(hid_t obj, const std::string& name, const std::string& context) {
  auto v = read_attr_strings(obj, name, context);
  if (v.size() != 1)
    throw DataError(context + " attribute '" + name + "' holds " + std::to_string(v.size()) +
                    " strings, expected one");
  return v[0];
}

std::vector<std::string> read_attr_strings(hid_t obj, const std::string& name,
                                           const std::string& context) {
  Id a = open_attr(obj, name, context);
  Id t = type(H5Aget_type(a), context);
  Id s = space(H5Aget_space(a), context);
  return read_strings(
      t, s, npoints(a), [&](hid_t mt, void* buf) { return H5Aread(a, mt, buf); },
      context + " attribute '" + name + "'");
}

namespace {
void put_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type, hid_t sp,
              const void* data) {
  if (has_attr(obj, name)) check(H5Adelete(obj, name.c_str()), "attribute " + name);
  Id a = attr(H5Acreate2(obj, name.c_str(), file_type, sp, H5P_DEFAULT, H5P_DEFAULT),
              "attribute " + name);
  if (H5Sget_simple_extent_npoints(sp) > 0) check(H5Awrite(a, mem_type, data), "attribute " + name);
}
Id vector_space(std::size_t n) {
  if (n == 0) return space(H5Screate(H5S_NULL), "dataspace");
  const hsize_t d = n;
  return space(H5Screate_simple(1, &d, nullptr), "dataspace");
}
}  // namespace

void write_attr(hid_t obj, const std::string& name, double v) {
  Id s = space(H5Screate(H5S_SCALAR), "dataspace");
  put_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, &v);
}

void write_attr(hid_t obj, const std::string& name, std::int64_t v) {
  Id s = space(H5Screate(H5S_SCALAR), "dataspace");
  put_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s, &v);
}

void write_attr(hid_t obj, const std::string& name, const std::vector<std::int64_t>& v) {
  Id s = vector_space(v.size());
  put_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s, v.data());
}

void write_attr(hid_t obj, const std::string& name, const std::string& v) {
  Id s = space(H5Screate(H5S_SCALAR), "dataspace");
  Id t = string_type(H5T_VARIABLE);
  const char* p = v.c_str();
  put_attr(obj, name, t, t, s, &p);
}

void write_attr(hid_t obj, const std::string& name, const std::vector<std::string>& v) {
  Id s = vector_space(v.size());
  Id t = string_type(H5T_VARIABLE);
  std::vector<const char*> p;
  for (const auto& x : v) p.push_back(x.c_str());
  put_attr(obj, name, t, t, s, p.data());
}

void write_string(hid_t loc, const std::string& path, const std::string& v) {
  Id s = space(H5Screate(H5S_SCALAR), "dataspace");
  Id t = string_type(H5T_VARIABLE);
  Id lcpl = intermediate_groups();
  Id d = dataset(H5Dcreate2(loc, path.c_str(), t, s, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                 "create " + path);
  const char* p = v.c_str();
  check(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), "write " + path);
}

std::string read_string(hid_t loc, const std::string& path, const std::string& context) {
  Id d = dataset(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), context);
  Id t = type(H5Dget_type(d), context);
  Id s = space(H5Dget_space(d), context);
  const std::int64_t n = H5Sget_simple_extent_npoints(s);
  auto v = read_strings(
      t, s, n, [&](hid_t mt, void* buf) { return H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf); },
      context);
  if (v.size() != 1)
    throw DataError(context + " holds " + std::to_string(v.size()) + " strings, expected one");
  return v[0];
}

void write_array(hid_t loc, const std::string& path, hid_t mem_type, hid_t file_type,
                 const Shape& shape, const void* data) {
  Id s;
  if (shape.empty()) {
    s = space(H5Screate(H5S_SCALAR), "dataspace");
  } else {
    std::vector<hsize_t> d(shape.begin(), shape.end());
    s = space(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr), "dataspace");
  }
  Id lcpl = intermediate_groups();
  Id d = dataset(H5Dcreate2(loc, path.c_str(), file_type, s, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                 "create " + path);
  if (numel(shape) > 0)
    check(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + path);
}

std::string type_name(hid_t t) {
  const std::size_t bits = H5Tget_size(t) * 8;
  switch (H5Tget_class(t)) {
    case H5T_INTEGER:
      return std::string(H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT: return "float" + std::to_string(bits);
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    default: return "an unsupported type";
  }
}

}  // namespace aeg::io::h5
