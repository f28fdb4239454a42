// Shared by the io tests: temporary folders, raw files, raw HDF5 writes for
// crafting bad inputs, and a check that a call throws a DataError.
#pragma once
#include <hdf5.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "io/error.hpp"

namespace iotest {

// A fresh folder under /tmp, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/aeg-io-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::set<std::string> entries() const {
    std::set<std::string> r;
    for (const auto& e : std::filesystem::directory_iterator(path)) r.insert(e.path().filename().string());
    return r;
  }
};

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

inline void write_text(const std::string& path, const std::string& s) {
  std::ofstream out(path);
  out << s;
}

inline void write_gz(const std::string& path, const std::vector<std::uint8_t>& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  if (!b.empty()) gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

// An IDX file image: magic 00 00 type rank, big-endian dims, then data.
inline std::vector<std::uint8_t> idx_bytes(const std::vector<std::uint32_t>& dims,
                                           const std::vector<std::uint8_t>& data, std::uint8_t type = 0x08) {
  std::vector<std::uint8_t> b{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// Raw HDF5 writes, for files the library itself would refuse to write.
struct RawH5 {
  hid_t file;
  explicit RawH5(const std::string& path) {
    file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(file >= 0);
  }
  ~RawH5() { H5Fclose(file); }
  hid_t put(const std::string& name, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
            const void* data) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t sp = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    hid_t d = H5Dcreate2(file, name.c_str(), file_type, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    REQUIRE(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Sclose(sp);
    H5Pclose(lcpl);
    H5Dclose(d);
    return 0;
  }
  // A dataset that declares `dims` (chunked by `chunk`, or contiguous when empty) and
  // writes only its first `rows` rows: a file of a few KB can claim any size.
  void declare_u8(const std::string& name, const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk, hsize_t rows) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (!chunk.empty()) H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    hid_t sp = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    hid_t d = H5Dcreate2(file, name.c_str(), H5T_STD_U8LE, sp, lcpl, dcpl, H5P_DEFAULT);
    REQUIRE(d >= 0);
    if (rows > 0) {
      std::vector<hsize_t> count = dims, start(dims.size(), 0);
      count[0] = rows;
      std::size_t n = 1;
      for (hsize_t c : count) n *= c;
      std::vector<std::uint8_t> v(n, 7);
      hid_t ms = H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr);
      H5Sselect_hyperslab(sp, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
      REQUIRE(H5Dwrite(d, H5T_NATIVE_UINT8, ms, sp, H5P_DEFAULT, v.data()) >= 0);
      H5Sclose(ms);
    }
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Dclose(d);
  }
  void put_f32(const std::string& name, const std::vector<hsize_t>& dims, const std::vector<float>& v) {
    put(name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims, v.data());
  }
  void put_u8(const std::string& name, const std::vector<hsize_t>& dims, const std::vector<std::uint8_t>& v) {
    put(name, H5T_STD_U8LE, H5T_NATIVE_UINT8, dims, v.data());
  }
  void attr_double(const std::string& obj, const std::string& name, double v) {
    hid_t o = H5Oopen(file, obj.c_str(), H5P_DEFAULT);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, name.c_str(), H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    H5Sclose(sp);
    H5Oclose(o);
  }
};

// Runs f, expects a DataError and returns its message.
inline std::string data_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const aeg::io::DataError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected aeg::io::DataError, got another exception: " << e.what());
  }
  FAIL("expected aeg::io::DataError, nothing was thrown");
  return "";
}

using Catch::Matchers::Contains;

}  // namespace iotest
