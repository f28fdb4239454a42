#include "io/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "engine/tensor.hpp"
#include "io/atomic_file.hpp"
#include "io/h5.hpp"
#include "io/scaling_h5.hpp"

namespace aeg::io {

using aeg::to_string;  // Shape printing, beside to_string(DType)

std::string to_string(DType t) { return t == DType::uint8 ? "uint8" : "float32"; }

const SplitInfo& DatasetInfo::split(const std::string& name) const {
  if (name != "train" && name != "test")
    throw DataError(path + ": unknown split '" + name + "', expected \"train\" or \"test\"");
  const SplitInfo& s = name == "train" ? train : test;
  if (!s.present) throw DataError(path + ": /" + name + "/x is missing, the file has no " + name + " split");
  return s;
}

// ---------------------------------------------------------------- describe

namespace {

// Numbers in messages: "255", "0.5", "nan" rather than "255.000000".
std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

SplitInfo describe_split(hid_t file, const std::string& path, const std::string& name,
                         Shape& sample_shape) {
  SplitInfo info;
  const std::string xname = "/" + name + "/x", yname = "/" + name + "/y";
  const std::string at = path + ": " + xname;
  if (!h5::exists(file, xname)) {
    if (name == "test" && !h5::exists(file, yname)) return info;  // no test split: fine
    throw DataError(at + " is missing, expected a dataset of shape N x features or N x C x H x W");
  }
  if (!h5::is_dataset(file, xname)) throw DataError(at + " is not a dataset");
  h5::Id x = h5::dataset(H5Dopen2(file, xname.c_str(), H5P_DEFAULT), at);
  h5::check_written(x, at);
  const Shape d = h5::dims(x);
  if (d.size() != 2 && d.size() != 4)
    throw DataError(at + " has rank " + std::to_string(d.size()) +
                    ", expected 2 (N x features) or 4 (N x C x H x W)");
  h5::Id t = h5::type(H5Dget_type(x), at);
  const H5T_class_t c = H5Tget_class(t);
  if (c == H5T_INTEGER && H5Tget_size(t) == 1 && H5Tget_sign(t) == H5T_SGN_NONE)
    info.dtype = DType::uint8;
  else if (c == H5T_FLOAT && H5Tget_size(t) == 4)
    info.dtype = DType::float32;
  else
    throw DataError(at + " has type " + h5::type_name(t) + ", expected uint8 or float32");
  info.present = true;
  info.rows = d[0];
  if (info.rows == 0 && name == "train") throw DataError(at + " has 0 rows, expected at least one");
  const Shape sample(d.begin() + 1, d.end());
  if (numel(sample) == 0) throw DataError(at + " has shape " + to_string(d) + ", expected samples of at least one value");
  if (sample_shape.empty()) {
    sample_shape = sample;
  } else if (numel(sample) != numel(sample_shape)) {
    throw DataError(at + " has samples of shape " + to_string(sample) + ", expected " +
                    to_string(sample_shape) + " like /train/x");
  }
  info.scale = info.dtype == DType::uint8 ? 255.0 : 1.0;
  if (h5::has_attr(x, "scale")) {
    info.scale_given = true;
    info.scale = h5::read_attr_double(x, "scale", at);
    if (!(info.scale > 0) || !std::isfinite(info.scale))
      throw DataError(at + " attribute 'scale' is " + num(info.scale) +
                      ", expected a positive number");
  }
  if (h5::exists(file, yname)) {
    const std::string yat = path + ": " + yname;
    if (!h5::is_dataset(file, yname)) throw DataError(yat + " is not a dataset");
    h5::Id y = h5::dataset(H5Dopen2(file, yname.c_str(), H5P_DEFAULT), yat);
    h5::check_written(y, yat);
    h5::Id yt = h5::type(H5Dget_type(y), yat);
    if (H5Tget_class(yt) != H5T_INTEGER || H5Tget_size(yt) > 4)
      throw DataError(yat + " has type " + h5::type_name(yt) +
                      ", expected integer labels (uint8 or int32)");
    const Shape yd = h5::dims(y);
    if (yd.size() != 1)
      throw DataError(yat + " has rank " + std::to_string(yd.size()) + ", expected 1 (one label per row)");
    if (yd[0] != info.rows)
      throw DataError(yat + " has " + std::to_string(yd[0]) + " labels, expected one per row of " +
                      xname + " (" + std::to_string(info.rows) + ")");
    info.labels = true;
  }
  return info;
}

}  // namespace

DatasetInfo describe(const std::string& path) {
  DatasetInfo info;
  info.path = path;
  h5::Id f = h5::open_file(path);
  Shape sample;
  info.train = describe_split(f, path, "train", sample);
  info.test = describe_split(f, path, "test", sample);
  info.sample_shape = sample;
  info.features = numel(sample);
  if (sample.size() == 3) info.image_shape = sample;
  if (h5::has_attr(f, "image_shape")) {
    auto s = h5::read_attr_ints(f, "image_shape", path + ": /");
    if (s.size() != 3 || numel(s) != info.features || s[0] <= 0 ||
        (!info.image_shape.empty() && s != info.image_shape))
      throw DataError(path + ": root attribute 'image_shape' is " + to_string(s) +
                      ", expected C, H, W with C*H*W = " + std::to_string(info.features) +
                      (info.image_shape.empty() ? "" : " matching " + to_string(info.image_shape)));
    info.image_shape = s;
  }
  if (h5::has_attr(f, "source")) info.source = h5::read_attr_string(f, "source", path + ": /");
  if (h5::has_attr(f, "class_names")) {
    info.class_names = h5::read_attr_strings(f, "class_names", path + ": /");
    if (std::any_of(info.class_names.begin(), info.class_names.end(), [](const std::string& n) { return n.empty(); }))
      throw DataError(path + ": root attribute 'class_names' holds an empty name, expected one name per class");
  }
  info.scaling = read_scaling(f, info.features, path);
  return info;
}

std::string assumed_scale_note(const DatasetInfo& info) {
  std::string splits;
  for (const auto& [name, s] : {std::pair{"/train/x", &info.train}, std::pair{"/test/x", &info.test}})
    if (s->present && s->dtype == DType::uint8 && !s->scale_given) splits += (splits.empty() ? "" : " and ") + std::string(name);
  if (splits.empty()) return "";
  return info.path + ": " + splits + (splits.find(" and ") == std::string::npos ? " is" : " are") +
         " uint8 without a 'scale' attribute: read as stored / 255 (image bytes, values in [0, 1]); give the dataset "
         "a 'scale' attribute (e.g. 1 for counts) to say otherwise";
}

// ---------------------------------------------------------------- writer

namespace {

struct SplitOut {
  h5::Id group, x, y;
  std::int64_t rows = 0;
};

void extend_and_write(hid_t dset, std::int64_t at, std::int64_t n, const Shape& sample,
                      hid_t mem_type, const void* data, const std::string& context) {
  std::vector<hsize_t> size{static_cast<hsize_t>(at + n)}, start{static_cast<hsize_t>(at)},
      count{static_cast<hsize_t>(n)};
  for (auto s : sample) {
    size.push_back(static_cast<hsize_t>(s));
    start.push_back(0);
    count.push_back(static_cast<hsize_t>(s));
  }
  const int rank = static_cast<int>(size.size());
  h5::check(H5Dset_extent(dset, size.data()), context + ": extend");
  h5::Id fs = h5::space(H5Dget_space(dset), context);
  h5::check(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
            context + ": select rows");
  h5::Id ms = h5::space(H5Screate_simple(rank, count.data(), nullptr), context);
  h5::check(H5Dwrite(dset, mem_type, ms, fs, H5P_DEFAULT, data), context + ": write");
}

}  // namespace

struct DatasetWriter::Impl {
  std::string path;
  DatasetFormat fmt;
  std::int64_t features = 0;
  TempFile temp;  // declared before the handles: destroyed (temp removed) after they close
  h5::Id file;
  SplitOut train, test;
  FeatureScaling scaling;

  Impl(const std::string& p, DatasetFormat f) : path(p), fmt(std::move(f)), temp(p) {}

  SplitOut& split(const std::string& name) {
    if (name != "train" && name != "test")
      throw std::invalid_argument("DatasetWriter: unknown split '" + name + "', expected train or test");
    SplitOut& s = name == "train" ? train : test;
    if (s.x.valid()) return s;
    const std::string at = path + ": /" + name;
    s.group = h5::group(H5Gcreate2(file, ("/" + name).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), at);

    std::vector<hsize_t> dims{0}, maxd{H5S_UNLIMITED}, chunk{static_cast<hsize_t>(fmt.chunk_rows)};
    for (auto d : fmt.sample_shape) {
      dims.push_back(static_cast<hsize_t>(d));
      maxd.push_back(static_cast<hsize_t>(d));
      chunk.push_back(static_cast<hsize_t>(d));
    }
    h5::Id sp = h5::space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxd.data()), at);
    h5::Id dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), at);
    h5::check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), at + "/x: chunking");
    if (fmt.deflate > 0) {
      h5::check(H5Pset_shuffle(dcpl), at + "/x: shuffle filter");
      h5::check(H5Pset_deflate(dcpl, static_cast<unsigned>(fmt.deflate)), at + "/x: deflate filter");
    }
    const hid_t ftype = fmt.dtype == DType::uint8 ? H5T_STD_U8LE : H5T_IEEE_F32LE;
    s.x = h5::dataset(H5Dcreate2(s.group, "x", ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT), at + "/x");
    if (fmt.dtype == DType::uint8 || fmt.scale != 1.0) h5::write_attr(s.x, "scale", fmt.scale);

    if (fmt.labels) {
      hsize_t d0 = 0, m0 = H5S_UNLIMITED, c0 = static_cast<hsize_t>(std::max<std::int64_t>(4096, fmt.chunk_rows));
      h5::Id ysp = h5::space(H5Screate_simple(1, &d0, &m0), at);
      h5::Id ycpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), at);
      h5::check(H5Pset_chunk(ycpl, 1, &c0), at + "/y: chunking");
      if (fmt.deflate > 0) {
        h5::check(H5Pset_shuffle(ycpl), at + "/y: shuffle filter");
        h5::check(H5Pset_deflate(ycpl, static_cast<unsigned>(fmt.deflate)), at + "/y: deflate filter");
      }
      s.y = h5::dataset(H5Dcreate2(s.group, "y", fmt.labels_uint8 ? H5T_STD_U8LE : H5T_STD_I32LE,
                                   ysp, H5P_DEFAULT, ycpl, H5P_DEFAULT),
                        at + "/y");
    }
    return s;
  }

  template <class T>
  void append(const std::string& name, std::span<const T> rows, std::span<const std::int32_t> labels) {
    if ((fmt.dtype == DType::uint8) != std::is_same_v<T, std::uint8_t>)
      throw std::invalid_argument("DatasetWriter: appending " +
                                  std::string(std::is_same_v<T, float> ? "float32" : "uint8") +
                                  " rows to a " + to_string(fmt.dtype) + " dataset");
    if (rows.size() % static_cast<std::size_t>(features) != 0)
      throw std::invalid_argument("DatasetWriter: " + std::to_string(rows.size()) +
                                  " values is not a whole number of rows of " +
                                  std::to_string(features));
    const std::int64_t n = static_cast<std::int64_t>(rows.size()) / features;
    if (fmt.labels ? static_cast<std::int64_t>(labels.size()) != n : !labels.empty())
      throw std::invalid_argument("DatasetWriter: " + std::to_string(labels.size()) + " labels for " +
                                  std::to_string(n) + " rows" +
                                  (fmt.labels ? "" : " (the format has no labels)"));
    SplitOut& s = split(name);
    const std::string at = path + ": /" + name + "/x";
    for (std::int64_t i = 0; std::is_same_v<T, float> && i < n; ++i) {
      for (std::int64_t j = 0; j < features; ++j) {
        const double v = static_cast<double>(rows[static_cast<std::size_t>(i * features + j)]);
        if (!std::isfinite(v))
          throw DataError(at + " row " + std::to_string(s.rows + i) + " column " + std::to_string(j) +
                          " has value " + num(v) + ", expected a finite number");
      }
    }
    if (fmt.labels && fmt.labels_uint8)
      for (std::int64_t i = 0; i < n; ++i)
        if (labels[static_cast<std::size_t>(i)] < 0 || labels[static_cast<std::size_t>(i)] > 255)
          throw DataError(path + ": /" + name + "/y row " + std::to_string(s.rows + i) + " has label " +
                          std::to_string(labels[static_cast<std::size_t>(i)]) +
                          ", expected 0..255 for uint8 labels");
    const auto classes = static_cast<std::int32_t>(fmt.class_names.size());
    for (std::int64_t i = 0; classes > 0 && i < n; ++i)
      if (labels[static_cast<std::size_t>(i)] < 0 || labels[static_cast<std::size_t>(i)] >= classes)
        throw DataError(path + ": /" + name + "/y row " + std::to_string(s.rows + i) + " has label " +
                        std::to_string(labels[static_cast<std::size_t>(i)]) + ", but " + std::to_string(classes) +
                        " class names were given (for labels 0.." + std::to_string(classes - 1) + ")");
    if (n == 0) return;
    extend_and_write(s.x, s.rows, n, fmt.sample_shape,
                     std::is_same_v<T, float> ? H5T_NATIVE_FLOAT : H5T_NATIVE_UINT8, rows.data(), at);
    if (fmt.labels)
      extend_and_write(s.y, s.rows, n, {}, H5T_NATIVE_INT32, labels.data(), path + ": /" + name + "/y");
    s.rows += n;
  }
};

DatasetWriter::DatasetWriter(const std::string& path, DatasetFormat fmt) {
  const Shape& ss = fmt.sample_shape;
  if ((ss.size() != 1 && ss.size() != 3) || numel(ss) <= 0 ||
      std::any_of(ss.begin(), ss.end(), [](auto d) { return d <= 0; }))
    throw std::invalid_argument("DatasetWriter: sample shape " + to_string(ss) +
                                ", expected {features} or {C, H, W}");
  if (ss.size() == 3 && fmt.image_shape.empty()) fmt.image_shape = ss;
  if (!fmt.image_shape.empty() &&
      (fmt.image_shape.size() != 3 || numel(fmt.image_shape) != numel(ss) ||
       (ss.size() == 3 && fmt.image_shape != ss)))
    throw std::invalid_argument("DatasetWriter: image shape " + to_string(fmt.image_shape) +
                                " does not fit samples of shape " + to_string(ss));
  if (!fmt.class_names.empty() && !fmt.labels)
    throw std::invalid_argument("DatasetWriter: class names for a dataset without labels");
  if (std::any_of(fmt.class_names.begin(), fmt.class_names.end(), [](const std::string& n) { return n.empty(); }))
    throw std::invalid_argument("DatasetWriter: an empty class name");
  if (fmt.scale == 0) fmt.scale = fmt.dtype == DType::uint8 ? 255 : 1;
  if (!(fmt.scale > 0) || !std::isfinite(fmt.scale))
    throw std::invalid_argument("DatasetWriter: scale must be a positive number");
  const std::int64_t row_bytes = numel(ss) * (fmt.dtype == DType::uint8 ? 1 : 4);
  if (fmt.chunk_rows <= 0) fmt.chunk_rows = std::max<std::int64_t>(1, (256 << 10) / row_bytes);
  const std::int64_t features = numel(ss);
  impl_ = std::make_unique<Impl>(path, std::move(fmt));  // ss refers into fmt: not used below
  impl_->features = features;
  impl_->file = h5::create_file(impl_->temp.path());
}

DatasetWriter::~DatasetWriter() = default;

void DatasetWriter::append(const std::string& split, std::span<const std::uint8_t> rows,
                           std::span<const std::int32_t> labels) {
  h5::quiet();
  impl_->append(split, rows, labels);
}

void DatasetWriter::append(const std::string& split, std::span<const float> rows,
                           std::span<const std::int32_t> labels) {
  h5::quiet();
  impl_->append(split, rows, labels);
}

std::int64_t DatasetWriter::rows(const std::string& split) const {
  return split == "train" ? impl_->train.rows : split == "test" ? impl_->test.rows : 0;
}

void DatasetWriter::set_scaling(FeatureScaling scaling) {
  check_scaling(scaling, impl_->features, impl_->path + ": /scaling");
  impl_->scaling = std::move(scaling);
}

void DatasetWriter::finish() {
  h5::quiet();
  Impl& m = *impl_;
  if (!m.file.valid()) throw std::logic_error("DatasetWriter::finish called twice");
  if (m.train.rows == 0)
    throw DataError(m.path + ": /train/x would have 0 rows, expected at least one");
  h5::write_attr(m.file, "source", m.fmt.source);
  if (!m.fmt.image_shape.empty()) h5::write_attr(m.file, "image_shape", m.fmt.image_shape);
  if (!m.fmt.class_names.empty()) h5::write_attr(m.file, "class_names", m.fmt.class_names);
  write_scaling(m.file, m.scaling, m.path);
  for (SplitOut* s : {&m.train, &m.test}) {
    s->y.close(m.path + ": close");
    s->x.close(m.path + ": close");
    s->group.close(m.path + ": close");
  }
  h5::check(H5Fflush(m.file, H5F_SCOPE_GLOBAL), m.path + ": flush");
  m.file.close(m.path + ": close");
  m.temp.commit();
}

void write_dataset(const std::string& path, const DatasetFormat& format, const SplitData& train,
                   const SplitData* test) {
  DatasetWriter w(path, format);
  auto put = [&](const std::string& name, const SplitData& s) {
    if (format.dtype == DType::uint8) {
      if (!s.f32.empty()) throw std::invalid_argument("write_dataset: float32 rows for a uint8 format");
      w.append(name, std::span<const std::uint8_t>(s.u8), s.labels);
    } else {
      if (!s.u8.empty()) throw std::invalid_argument("write_dataset: uint8 rows for a float32 format");
      w.append(name, std::span<const float>(s.f32), s.labels);
    }
  };
  put("train", train);
  if (test) put("test", *test);
  w.finish();
}

}  // namespace aeg::io
