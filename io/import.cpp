#include "io/import.hpp"

#include <filesystem>

#include "engine/tensor.hpp"
#include "io/idx.hpp"

namespace aeg::io {

using aeg::to_string;  // Shape printing, beside to_string(DType)
namespace {

constexpr std::int64_t kBlockRows = 4096;  // rows per append

// ------------------------------------------------------------------ IDX

struct IdxSplit {
  Idx images, labels;
  bool has_labels = false;
};

IdxSplit load_idx_split(const std::string& images, const std::string& labels) {
  IdxSplit s;
  s.images = read_idx(images);
  const auto& d = s.images.dims;
  if (d.size() != 2 && d.size() != 3)
    throw DataError(images + ": IDX rank " + std::to_string(d.size()) +
                    ", expected 3 (N x H x W images) or 2 (N x features)");
  if (!labels.empty()) {
    s.labels = read_idx(labels);
    s.has_labels = true;
    if (s.labels.dims.size() != 1)
      throw DataError(labels + ": IDX rank " + std::to_string(s.labels.dims.size()) +
                      ", expected 1 (one label per image)");
    if (s.labels.dims[0] != d[0])
      throw DataError(labels + ": " + std::to_string(s.labels.dims[0]) + " labels, expected " +
                      std::to_string(d[0]) + " (one per image in " + images + ")");
  }
  return s;
}

void append_idx(DatasetWriter& w, const std::string& split, const IdxSplit& s, std::int64_t features) {
  const std::int64_t n = s.images.dims[0];
  std::vector<std::int32_t> y;
  for (std::int64_t r = 0; r < n; r += kBlockRows) {
    const std::int64_t m = std::min(kBlockRows, n - r);
    std::span<const std::uint8_t> rows(s.images.data.data() + r * features,
                                       static_cast<std::size_t>(m * features));
    if (s.has_labels) {
      y.assign(s.labels.data.begin() + r, s.labels.data.begin() + r + m);
      w.append(split, rows, y);
    } else {
      w.append(split, rows);
    }
  }
}

}  // namespace

ImportReport import_report(const std::string& out) {
  ImportReport r;
  r.info = describe(out);
  r.file_bytes = std::filesystem::file_size(out);
  return r;
}

IdxSource fashion_mnist_files() {
  const std::string d = "/usr/share/datasets/fashion-mnist/";
  return {d + "train-images-idx3-ubyte.gz", d + "train-labels-idx1-ubyte.gz",
          d + "t10k-images-idx3-ubyte.gz", d + "t10k-labels-idx1-ubyte.gz", fashion_mnist_class_names()};
}

std::vector<std::string> fashion_mnist_class_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

ImportReport import_idx(const IdxSource& src, const std::string& out, const std::string& source) {
  if (src.train_images.empty()) throw std::invalid_argument("import_idx: no training images given");
  const IdxSplit train = load_idx_split(src.train_images, src.train_labels);
  IdxSplit test;
  const bool has_test = !src.test_images.empty();
  if (has_test) {
    test = load_idx_split(src.test_images, src.test_labels);
    if (test.has_labels != train.has_labels)
      throw std::invalid_argument("import_idx: give labels for both splits or for neither");
    const Shape a(train.images.dims.begin() + 1, train.images.dims.end());
    const Shape b(test.images.dims.begin() + 1, test.images.dims.end());
    if (a != b)
      throw DataError(src.test_images + ": samples of shape " + to_string(b) + ", expected " +
                      to_string(a) + " like " + src.train_images);
  }
  const auto& d = train.images.dims;
  DatasetFormat fmt;
  const std::int64_t features = d.size() == 3 ? d[1] * d[2] : d[1];
  fmt.sample_shape = {features};
  if (d.size() == 3) fmt.image_shape = {1, d[1], d[2]};
  fmt.dtype = DType::uint8;
  fmt.scale = 255;
  fmt.labels = train.has_labels;
  fmt.labels_uint8 = true;
  fmt.source = source.empty() ? "idx: " + src.train_images : source;
  if (!src.class_names.empty() && !train.has_labels)
    throw std::invalid_argument("import_idx: class names given, but no label files");
  fmt.class_names = src.class_names;
  {
    DatasetWriter w(out, fmt);
    append_idx(w, "train", train, features);
    if (has_test) append_idx(w, "test", test, features);
    w.finish();
  }
  return import_report(out);
}

ImportReport import_fashion_mnist(const std::string& out, std::vector<std::string> class_names) {
  IdxSource src = fashion_mnist_files();
  src.class_names = std::move(class_names);
  return import_idx(src, out,
                    "Fashion-MNIST (Debian dataset-fashion-mnist, /usr/share/datasets/fashion-mnist)");
}

}  // namespace aeg::io
