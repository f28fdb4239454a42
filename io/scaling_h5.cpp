#include "io/scaling_h5.hpp"

#include "io/h5.hpp"

namespace aeg::io {

using aeg::to_string;  // Shape printing, beside to_string(ScaleMethod)

void write_scaling(hid_t file, const FeatureScaling& s, const std::string& context) {
  if (s.empty()) return;
  const std::string at = context + ": /scaling";
  h5::Id g = h5::group(H5Gcreate2(file, "/scaling", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), at);
  h5::write_attr(g, "method", to_string(s.method));
  const Shape n{static_cast<std::int64_t>(s.offset.size())};
  h5::write_array(g, "offset", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, s.offset.data());
  h5::write_array(g, "scale", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, n, s.scale.data());
}

FeatureScaling read_scaling(hid_t file, std::int64_t features, const std::string& path) {
  FeatureScaling s;
  if (!h5::exists(file, "/scaling")) return s;
  const std::string at = path + ": /scaling";
  if (!h5::is_group(file, "/scaling")) throw DataError(at + " is not a group, expected offset and scale datasets");
  h5::Id g = h5::group(H5Gopen2(file, "/scaling", H5P_DEFAULT), at);
  const std::string method = h5::has_attr(g, "method") ? h5::read_attr_string(g, "method", at) : "";
  try {
    s.method = parse_scale_method(method);
  } catch (const std::invalid_argument&) {
    throw DataError(at + " attribute 'method' is '" + method + "', expected minmax or standard");
  }
  if (s.method == ScaleMethod::None) throw DataError(at + " attribute 'method' is 'none', expected minmax or standard");
  auto vector = [&](const char* name) {
    const std::string obj = at + "/" + name;
    if (!h5::exists(g, name) || !h5::is_dataset(g, name))
      throw DataError(obj + " is missing, expected float64 values, one per feature (" + std::to_string(features) + ")");
    h5::Id d = h5::dataset(H5Dopen2(g, name, H5P_DEFAULT), obj);
    h5::Id t = h5::type(H5Dget_type(d), obj);
    const Shape dims = h5::dims(d);
    if (H5Tget_class(t) != H5T_FLOAT || dims.size() != 1 || dims[0] != features)
      throw DataError(obj + " has type " + h5::type_name(t) + " and shape " + to_string(dims) +
                      ", expected float64 values, one per feature (" + std::to_string(features) + ")");
    std::vector<double> v(static_cast<std::size_t>(features));
    h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), obj + ": read");
    return v;
  };
  s.offset = vector("offset");
  s.scale = vector("scale");
  check_scaling(s, features, at);
  return s;
}

}  // namespace aeg::io
