// ae-import: convert IDX (MNIST format) or CSV data into an aegraph dataset file.
// With no input option it imports Fashion-MNIST from the Debian package
// dataset-fashion-mnist.
#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "apps/common/model_options.hpp"
#include "io/csv.hpp"
#include "io/import.hpp"

namespace po = boost::program_options;

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --label-column: a 0-based number (-1: none), or a header name.
void parse_label_column(const std::string& s, aeg::io::CsvSource& src) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == s.size() && !s.empty()) {
    if (v < -1 || v > 1'000'000) throw UsageError("--label-column " + s + ": expected a column number >= 0, or -1 for none");
    src.label_column = static_cast<int>(v);
  } else {
    if (s.empty()) throw UsageError("--label-column: expected a column number or a header name");
    src.label_name = s;
  }
}

// The Debian package's Fashion-MNIST files, named one by one.
bool is_fashion_mnist(const std::string& images) {
  const auto folder = [](const std::string& p) { return std::filesystem::path(p).parent_path().lexically_normal(); };
  return folder(images) == folder(aeg::io::fashion_mnist_files().train_images);
}

// --class-names: "a,b,c", "fashion-mnist", "none", or "" for the default (Fashion-MNIST's
// for its own files, since their labels are its ten classes).
std::vector<std::string> parse_class_names(const std::string& s, bool fashion_mnist_files) {
  if (s == "none") return {};
  if (s == "fashion-mnist" || (s.empty() && fashion_mnist_files)) return aeg::io::fashion_mnist_class_names();
  std::vector<std::string> names;
  if (s.empty()) return names;
  std::size_t at = 0;
  while (true) {
    const std::size_t comma = s.find(',', at);
    std::string name = s.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) throw UsageError("--class-names '" + s + "': an empty name; expected names separated by commas");
    names.push_back(name);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return names;
}

std::string human_bytes(std::uintmax_t b) {
  char buf[64];
  if (b >= (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  else if (b >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024);
  else std::snprintf(buf, sizeof buf, "%ju bytes", b);
  return buf;
}

void print_split(const char* name, const aeg::io::DatasetInfo& info, const aeg::io::SplitInfo& s) {
  if (!s.present) {
    std::cout << "  " << name << ": none\n";
    return;
  }
  std::cout << "  " << name << ": " << s.rows << " x " << info.features << " " << aeg::io::to_string(s.dtype)
            << (s.scale != 1 ? " (value = stored / " + std::to_string(static_cast<long long>(s.scale)) + ")" : "") << ", "
            << (s.labels ? "labels" : "no labels") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string train_images, train_labels, test_images, test_labels, csv, test_csv, image_shape, out;
  std::string label_column, delimiter, scale, class_names;
  double test_fraction = 0;
  std::uint64_t seed = 0;

  po::options_description opts(
      "Usage: ae-import [options]\n"
      "Converts IDX or CSV data into an aegraph dataset file (HDF5).\n"
      "With no input option, imports Fashion-MNIST from /usr/share/datasets/fashion-mnist.\n\n"
      "Options");
  // clang-format off
  opts.add_options()
      ("help,h", "print this help and exit")
      ("train-images", po::value(&train_images)->default_value("", "none"), "IDX file of training images (N x H x W or N x features; .gz or not)")
      ("train-labels", po::value(&train_labels)->default_value("", "none"), "IDX file of training labels (optional)")
      ("test-images", po::value(&test_images)->default_value("", "none"), "IDX file of test images (optional)")
      ("test-labels", po::value(&test_labels)->default_value("", "none"), "IDX file of test labels (needed when training labels are given)")
      ("csv", po::value(&csv)->default_value("", "none"), "CSV file (or .csv.gz), one sample per line; a first line with any non-numeric cell is a header. Values are kept as they are")
      ("label-column", po::value(&label_column)->default_value("-1"), "CSV column holding an integer label: 0-based number, or its name in the header (-1: no labels)")
      ("delimiter", po::value(&delimiter)->default_value(","), "CSV cell separator: one character, 'tab' or 'space' (runs of blanks)")
      ("scale", po::value(&scale)->default_value("none"), "per-feature scaling fitted on the training rows only and stored as /scaling (the values stay as they are; every app applies it): none, minmax (to [0, 1]) or standard (mean 0, deviation 1)")
      ("test-csv", po::value(&test_csv)->default_value("", "none"), "second CSV file for the test split")
      ("test-fraction", po::value(&test_fraction)->default_value(0.0), "fraction of --csv rows put in the test split, in [0, 1)")
      ("seed", po::value(&seed)->default_value(0), "seed choosing the --test-fraction rows")
      ("image-shape", po::value(&image_shape)->default_value("", "none"), "C,H,W of the CSV feature columns, if they are images")
      ("class-names", po::value(&class_names)->default_value("", "Fashion-MNIST's for its files, else none"), "names of labels 0, 1, ... separated by commas (stored as the attribute class_names; plots and legends show them), 'fashion-mnist' for its ten, or 'none'")
      ("out,o", po::value(&out)->default_value("fashion-mnist.h5"), "output file (written to a temp file, then renamed)");
  // clang-format on

  aeg::io::CsvSource src;
  po::variables_map vm;
  try {
    const po::positional_options_description no_positionals;
    po::store(po::command_line_parser(argc, argv).options(opts).positional(no_positionals).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    const bool idx = !train_images.empty() || !train_labels.empty() || !test_images.empty() || !test_labels.empty();
    const bool csv_opts = !vm["label-column"].defaulted() || !test_csv.empty() || !vm["test-fraction"].defaulted() ||
                          !image_shape.empty() || !vm["seed"].defaulted() || !vm["delimiter"].defaulted() ||
                          !vm["scale"].defaulted();
    if (idx && !csv.empty()) throw UsageError("give IDX files or --csv, not both");
    if (csv_opts && csv.empty())
      throw UsageError("--label-column, --delimiter, --scale, --test-csv, --test-fraction, --seed and --image-shape need --csv");
    if (idx) {
      if (train_images.empty()) throw UsageError("--train-images is required with IDX input");
      if (test_labels.size() && test_images.empty()) throw UsageError("--test-labels needs --test-images");
      if (!test_images.empty() && train_labels.empty() != test_labels.empty())
        throw UsageError("give --train-labels and --test-labels together, or neither");
    }
    if (!(test_fraction >= 0 && test_fraction < 1))
      throw UsageError("--test-fraction " + std::to_string(test_fraction) + ": expected a value in [0, 1)");
    if (!test_csv.empty() && test_fraction > 0) throw UsageError("give --test-csv or --test-fraction, not both");
    try {
      src.delimiter = aeg::io::parse_delimiter(delimiter);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--delimiter: ") + e.what());
    }
    try {
      src.scale = aeg::io::parse_scale_method(scale);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--scale: ") + e.what());
    }
    parse_label_column(label_column, src);
    src.class_names = parse_class_names(class_names, csv.empty() && (train_images.empty() || is_fashion_mnist(train_images)));
    if (out.empty()) throw UsageError("--out: expected a file name");
  } catch (const po::error& e) {
    std::cerr << "ae-import: " << e.what() << "\nTry 'ae-import --help'.\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "ae-import: " << e.what() << "\nTry 'ae-import --help'.\n";
    return 2;
  }

  try {
    aeg::io::ImportReport r;
    if (!csv.empty()) {
      src.train = csv;
      src.test = test_csv;
      src.test_fraction = test_fraction;
      src.seed = seed;
      if (!image_shape.empty()) {
        try {
          src.image_shape = aeg::apps::parse_image_shape("image-shape", image_shape);
        } catch (const std::invalid_argument& e) {
          throw UsageError(e.what());
        }
      }
      if (!src.class_names.empty() && src.label_column < 0 && src.label_name.empty())
        throw UsageError("--class-names needs --label-column");
      r = aeg::io::import_csv(src, out);
    } else if (!train_images.empty()) {
      if (!src.class_names.empty() && train_labels.empty()) throw UsageError("--class-names needs --train-labels");
      r = aeg::io::import_idx({train_images, train_labels, test_images, test_labels, src.class_names}, out);
    } else {
      r = aeg::io::import_fashion_mnist(out, src.class_names);
    }
    const auto& info = r.info;
    std::cout << "wrote " << out << " (" << human_bytes(r.file_bytes) << ")\n";
    std::cout << "  source: " << info.source << "\n";
    print_split("train", info, info.train);
    print_split("test", info, info.test);
    if (!info.scaling.empty())
      std::cout << "  scaling: " << aeg::io::to_string(info.scaling.method) << " per feature, fitted on the training rows (/scaling)\n";
    if (!info.class_names.empty()) {
      std::cout << "  class names:";
      for (std::size_t k = 0; k < info.class_names.size(); ++k) std::cout << (k ? ", " : " ") << k << " " << info.class_names[k];
      std::cout << "\n";
    }
    if (!info.image_shape.empty())
      std::cout << "  image shape: " << info.image_shape[0] << " x " << info.image_shape[1] << " x "
                << info.image_shape[2] << "\n";
    return 0;
  } catch (const UsageError& e) {
    std::cerr << "ae-import: " << e.what() << "\nTry 'ae-import --help'.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ae-import: " << e.what() << "\n";
    return 1;
  }
}
