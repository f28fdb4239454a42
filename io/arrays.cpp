#include "io/arrays.hpp"

#include "io/atomic_file.hpp"
#include "io/h5.hpp"

namespace aeg::io {

void write_arrays(const std::string& path, const ArraysFile& a) {
  h5::quiet();
  TempFile temp(path);
  {
    h5::Id f = h5::create_memory_file(temp.path());
    for (const auto& [name, t] : a.floats)
      h5::write_array(f, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, t.shape, t.data.data());
    for (const auto& [name, v] : a.ints)
      h5::write_array(f, name, H5T_NATIVE_INT32, H5T_STD_I32LE, {static_cast<std::int64_t>(v.size())}, v.data());
    for (const auto& [name, v] : a.attributes) h5::write_attr(f, name, v);
    for (const auto& [name, v] : a.numbers) h5::write_attr(f, name, v);
    h5::write_image(f, temp.path());
    f.close(path + ": close");
  }
  temp.commit();
}

Tensor<float> read_float_array(const std::string& path, const std::string& dataset) {
  h5::quiet();
  h5::Id f = h5::open_file(path);
  const std::string ctx = path + ": " + dataset;
  if (!h5::is_dataset(f, dataset)) throw DataError(ctx + " is missing, expected a float32 array");
  h5::Id d = h5::dataset(H5Dopen2(f, dataset.c_str(), H5P_DEFAULT), ctx);
  h5::Id t = h5::type(H5Dget_type(d), ctx);
  if (H5Tget_class(t) != H5T_FLOAT)
    throw DataError(ctx + " holds " + h5::type_name(t) + ", expected float32");
  Tensor<float> out(h5::dims(d));
  if (out.size() > 0) h5::check(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.ptr()), ctx + ": read");
  return out;
}

}  // namespace aeg::io
