#include "io/checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "engine/version.hpp"
#include "io/atomic_file.hpp"
#include "io/h5.hpp"
#include "io/scaling_h5.hpp"

namespace aeg::io {

using aeg::to_string;  // Shape printing, beside to_string(ScaleMethod)
namespace {

// A number from the file as it is: "2", "1e+300", "nan" (never cast to an integer).
std::string number_text(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

void check_names(const std::vector<std::string>& names, const std::string& what) {
  for (const auto& n : names) {
    bool bad = n.empty() || n.front() == '/' || n.back() == '/' || n.find("//") != std::string::npos;
    std::size_t b = 0;
    while (!bad && b <= n.size()) {
      std::size_t e = n.find('/', b);
      if (e == std::string::npos) e = n.size();
      const std::string part = n.substr(b, e - b);
      bad = part == "." || part == "..";
      b = e + 1;
    }
    if (bad)
      throw std::invalid_argument("checkpoint " + what + " name '" + n +
                                  "': expected non-empty parts separated by single '/'");
  }
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
    if (sorted[i] == sorted[i + 1])
      throw std::invalid_argument("checkpoint " + what + " name '" + sorted[i] + "' appears twice");
    // A clash "a" vs "a/b" sorts "a" first, though not always adjacent ("a", "a.x", "a/b").
    for (std::size_t j = i + 1; j < sorted.size() && sorted[j].compare(0, sorted[i].size(), sorted[i]) == 0; ++j)
      if (sorted[j].size() > sorted[i].size() && sorted[j][sorted[i].size()] == '/')
        throw std::invalid_argument("checkpoint " + what + " names '" + sorted[i] + "' and '" + sorted[j] +
                                    "' clash: '" + sorted[i] + "' would be both an array and a group");
  }
}

// group `path` with one float32 dataset per tensor and a `names` attribute.
void write_tensors(hid_t file, const std::string& path,
                   const std::vector<std::pair<std::string, Tensor<float>>>& tensors, const std::string& what) {
  std::vector<std::string> names;
  for (const auto& [n, t] : tensors) {
    names.push_back(n);
    if (static_cast<std::int64_t>(t.data.size()) != numel(t.shape))
      throw std::invalid_argument("checkpoint " + what + " '" + n + "': shape " + to_string(t.shape) +
                                  " but " + std::to_string(t.data.size()) + " values");
  }
  check_names(names, what);
  h5::Id lcpl = h5::intermediate_groups();
  h5::Id g = h5::group(H5Gcreate2(file, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT), "create " + path);
  for (const auto& [n, t] : tensors)
    h5::write_array(g, n, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, t.shape, t.data.data());
  h5::write_attr(g, "names", names);
}

void write_doubles(hid_t loc, const std::string& path, const std::vector<double>& v) {
  h5::write_array(loc, path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, {static_cast<std::int64_t>(v.size())}, v.data());
}

void write_int(hid_t loc, const std::string& path, std::int64_t v) {
  h5::write_array(loc, path, H5T_NATIVE_INT64, H5T_STD_I64LE, {}, &v);
}

// ---- load helpers

struct Reader {
  const std::string& path;
  hid_t file;

  std::string at(const std::string& obj) const { return path + ": " + obj; }

  void require(const std::string& obj, const std::string& expected) const {
    if (!h5::exists(file, obj)) throw DataError(at(obj) + " is missing, expected " + expected);
  }

  h5::Id open(const std::string& obj, const std::string& expected) const {
    require(obj, expected);
    if (!h5::is_dataset(file, obj)) throw DataError(at(obj) + " is not a dataset, expected " + expected);
    return h5::dataset(H5Dopen2(file, obj.c_str(), H5P_DEFAULT), at(obj));
  }

  // Numbers of a float/integer dataset as T (HDF5 converts).
  template <class T>
  std::vector<T> numbers(const std::string& obj, hid_t mem_type, const std::string& expected, Shape* shape,
                         bool floats_only) const {
    h5::Id d = open(obj, expected);
    h5::Id t = h5::type(H5Dget_type(d), at(obj));
    const H5T_class_t c = H5Tget_class(t);
    if (c != H5T_FLOAT && (floats_only || c != H5T_INTEGER))
      throw DataError(at(obj) + " has type " + h5::type_name(t) + ", expected " + expected);
    h5::check_written(d, at(obj));  // before allocating what the file declares
    const Shape s = h5::dims(d);
    std::vector<T> v(static_cast<std::size_t>(numel(s)));
    if (!v.empty()) h5::check(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), at(obj) + ": read");
    if (shape) *shape = s;
    return v;
  }

  std::int64_t integer(const std::string& obj) const {
    Shape s;
    auto v = numbers<std::int64_t>(obj, H5T_NATIVE_INT64, "an integer scalar", &s, false);
    if (v.size() != 1) throw DataError(at(obj) + " has shape " + to_string(s) + ", expected an integer scalar");
    return v[0];
  }

  std::vector<double> doubles(const std::string& obj) const {
    Shape s;
    auto v = numbers<double>(obj, H5T_NATIVE_DOUBLE, "a 1-D array of numbers", &s, false);
    if (s.size() != 1) throw DataError(at(obj) + " has shape " + to_string(s) + ", expected a 1-D array of numbers");
    return v;
  }

  std::string text(const std::string& obj) const {
    open(obj, "a string");
    return h5::read_string(file, obj, at(obj));
  }

  // Names under a group: its `names` attribute, or (files made elsewhere) every dataset below it.
  std::vector<std::string> names(const std::string& group) const {
    require(group, "a group");
    if (!h5::is_group(file, group)) throw DataError(at(group) + " is not a group");
    h5::Id g = h5::group(H5Gopen2(file, group.c_str(), H5P_DEFAULT), at(group));
    if (h5::has_attr(g, "names")) return h5::read_attr_strings(g, "names", at(group));
    struct Visit {
      std::vector<std::string> names;
    } visit;
    auto cb = [](hid_t loc, const char* name, const H5L_info_t*, void* data) -> herr_t {
      if (h5::is_dataset(loc, name)) static_cast<Visit*>(data)->names.emplace_back(name);
      return 0;
    };
    h5::check(H5Lvisit(g, H5_INDEX_NAME, H5_ITER_INC, cb, &visit), at(group) + ": list");
    return visit.names;
  }

  std::vector<std::pair<std::string, Tensor<float>>> tensors(const std::string& group) const {
    std::vector<std::pair<std::string, Tensor<float>>> out;
    for (const auto& n : names(group)) {
      Tensor<float> t;
      t.data = numbers<float>(group + "/" + n, H5T_NATIVE_FLOAT, "float32 values (listed in " + group + " names)",
                              &t.shape, true);
      out.emplace_back(n, std::move(t));
    }
    return out;
  }
};

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& ck) {
  h5::quiet();
  {
    std::vector<std::string> names;
    for (const auto& [n, v] : ck.optimizer_scalars) names.push_back(n);
    check_names(names, "optimizer scalar");
  }
  TempFile temp(path);
  try {
    h5::Id f = h5::create_memory_file(temp.path());
    h5::write_attr(f, "format_version", kCheckpointFormat);
    h5::write_attr(f, "aegraph_version", std::string(AEGRAPH_VERSION));
    h5::write_string(f, "/spec", ck.spec);
    if (!ck.builder.empty()) h5::write_string(f, "/builder", ck.builder);
    if (!ck.training.empty()) h5::write_string(f, "/training", ck.training);
    write_tensors(f, "/params", ck.params, "parameter");
    {
      h5::Id g = h5::group(H5Gcreate2(f, "/optimizer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path + ": /optimizer");
      h5::write_attr(g, "name", ck.optimizer);
    }
    write_tensors(f, "/optimizer/state", ck.optimizer_state, "optimizer state");
    {
      h5::Id g = h5::group(H5Gcreate2(f, "/optimizer/scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           path + ": /optimizer/scalars");
      std::vector<std::string> names;
      for (const auto& [n, v] : ck.optimizer_scalars) {
        h5::write_array(g, n, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, {}, &v);
        names.push_back(n);
      }
      h5::write_attr(g, "names", names);
    }
    write_int(f, "/epoch", ck.epoch);
    write_int(f, "/step", ck.step);
    h5::write_string(f, "/rng_state", ck.rng_state);
    write_doubles(f, "/train_loss", ck.train_loss);
    write_doubles(f, "/test_loss", ck.test_loss);
    if (!ck.test_penalties.empty()) {
      h5::Id g = h5::group(H5Gcreate2(f, "/test_penalty", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path + ": /test_penalty");
      std::vector<std::string> names;
      for (const auto& [n, v] : ck.test_penalties) {
        if (n.empty() || n.find('/') != std::string::npos)
          throw std::invalid_argument(path + ": penalty name '" + n + "', expected a non-empty name without '/'");
        write_doubles(g, n, v);
        names.push_back(n);
      }
      h5::write_attr(g, "names", names);
    }
    if (!ck.scaling.empty()) {
      check_scaling(ck.scaling, static_cast<std::int64_t>(ck.scaling.offset.size()), path + ": /scaling");
      write_scaling(f, ck.scaling, path);
    }
    h5::write_image(f, temp.path());
    f.close(path + ": close");
  } catch (const std::invalid_argument&) {
    throw;  // a bad checkpoint (names, shapes): the caller's mistake, already said
  } catch (const std::exception& e) {
    // A full disk or a lost folder: say which checkpoint, and that the old one stands.
    throw DataError(path + ": the checkpoint could not be written (" + e.what() + "); " +
                    (std::filesystem::exists(path) ? "the previous checkpoint is kept" : "nothing was written"));
  }
  temp.commit();
}

Checkpoint load_checkpoint(const std::string& path) {
  h5::Id f = h5::open_file(path);
  const Reader r{path, f};
  if (!h5::has_attr(f, "format_version"))
    throw DataError(path + ": / has no attribute 'format_version', expected an aegraph checkpoint");
  const double version = h5::read_attr_double(f, "format_version", path + ": /");
  if (version != 1 && version != static_cast<double>(kCheckpointFormat))
    throw DataError(path + ": format_version " + number_text(version) +
                    ", this build reads format_version 1 and " + std::to_string(kCheckpointFormat));
  Checkpoint ck;
  ck.spec = r.text("/spec");
  if (h5::exists(f, "/builder")) ck.builder = r.text("/builder");
  if (h5::exists(f, "/training")) ck.training = r.text("/training");
  ck.params = r.tensors("/params");
  // Training never saves a non-finite parameter (it stops and keeps the last good
  // checkpoint), so one here is damage; evaluating it would print nan and succeed.
  for (const auto& [name, t] : ck.params)
    for (std::size_t i = 0; i < t.data.size(); ++i)
      if (!std::isfinite(t.data[i]))
        throw DataError(path + ": /params/" + name + " has " + (std::isnan(t.data[i]) ? "NaN" : "an infinity") + " at element " +
                        std::to_string(i) + ", expected finite parameters");
  r.require("/optimizer", "a group with attribute 'name'");
  {
    h5::Id g = h5::group(H5Gopen2(f, "/optimizer", H5P_DEFAULT), path + ": /optimizer");
    ck.optimizer = h5::read_attr_string(g, "name", path + ": /optimizer");
  }
  ck.optimizer_state = r.tensors("/optimizer/state");
  for (const auto& n : r.names("/optimizer/scalars")) {
    const std::string obj = "/optimizer/scalars/" + n;
    Shape s;
    auto v = r.numbers<double>(obj, H5T_NATIVE_DOUBLE, "a number", &s, false);
    if (v.size() != 1) throw DataError(r.at(obj) + " has shape " + to_string(s) + ", expected a scalar");
    ck.optimizer_scalars.emplace_back(n, v[0]);
  }
  ck.epoch = r.integer("/epoch");
  ck.step = r.integer("/step");
  ck.rng_state = r.text("/rng_state");
  ck.train_loss = r.doubles("/train_loss");
  ck.test_loss = r.doubles("/test_loss");
  if (h5::exists(f, "/test_penalty"))  // optional: checkpoints before 2026-12-04 have none
    for (const auto& n : r.names("/test_penalty")) ck.test_penalties.emplace_back(n, r.doubles("/test_penalty/" + n));
  if (h5::exists(f, "/scaling")) {
    // Its width is checked against the model by whoever builds the model.
    h5::Id g = h5::group(H5Gopen2(f, "/scaling", H5P_DEFAULT), path + ": /scaling");
    const Shape d = h5::exists(g, "offset") ? h5::dims(h5::dataset(H5Dopen2(g, "offset", H5P_DEFAULT), path + ": /scaling/offset"))
                                            : Shape{};
    ck.scaling = read_scaling(f, d.size() == 1 ? d[0] : 0, path);
  }
  return ck;
}

ParamMismatch compare_params(const Checkpoint& ck, const ParamShapes& expected) {
  ParamMismatch m;
  std::map<std::string, const Shape*> have;
  for (const auto& [n, t] : ck.params) have[n] = &t.shape;
  std::map<std::string, const Shape*> want;
  for (const auto& [n, s] : expected) {
    want[n] = &s;
    auto it = have.find(n);
    if (it == have.end()) m.missing.push_back("/params/" + n + " " + to_string(s));
    else if (*it->second != s)
      m.wrong_shape.push_back("/params/" + n + " has shape " + to_string(*it->second) + ", expected " + to_string(s));
  }
  for (const auto& [n, t] : ck.params)
    if (!want.count(n)) m.extra.push_back("/params/" + n + " " + to_string(t.shape));
  return m;
}

void check_params_match(const Checkpoint& ck, const ParamShapes& expected, const std::string& file) {
  const ParamMismatch m = compare_params(ck, expected);
  if (m.ok()) return;
  std::string msg = file + ": parameters do not match the model:";
  auto list = [&](const char* what, const std::vector<std::string>& v) {
    if (v.empty()) return;
    msg += std::string(" ") + what;
    for (std::size_t i = 0; i < v.size(); ++i) msg += (i ? ", " : " ") + v[i];
    msg += ";";
  };
  list("missing", m.missing);
  list("extra (not in the model)", m.extra);
  list("wrong shape:", m.wrong_shape);
  msg.pop_back();
  throw DataError(msg);
}

}  // namespace aeg::io
