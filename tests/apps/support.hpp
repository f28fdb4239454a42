// What the app tests share: running a program and capturing its output, a
// temporary folder, and small generated datasets.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/rng.hpp"
#include "io/dataset.hpp"

namespace aeg::test {

inline const std::string kTrain = AE_TRAIN_EXE;
inline const std::string kEval = AE_EVAL_EXE;
inline const std::string kEncode = AE_ENCODE_EXE;
inline const std::string kGenerate = AE_GENERATE_EXE;
inline const std::string kDenoise = AE_DENOISE_EXE;
inline const std::string kGraph = AE_GRAPH_EXE;
inline const std::string kBench = AE_BENCH_EXE;

struct Run {
  int code = -1;
  std::string out;  // stdout and stderr
};

inline Run run(const std::string& cmd) {
  namespace fs = std::filesystem;
  const std::string log = fs::temp_directory_path() / ("aeg_apps_" + std::to_string(getpid()) + ".log");
  const int st = std::system((cmd + " >" + log + " 2>&1").c_str());
  Run r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream f(log);
  std::stringstream ss;
  ss << f.rdbuf();
  r.out = ss.str();
  fs::remove(log);
  return r;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/aeg_apps_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// n training rows (and n / 4 test rows) of smooth patterns in [0,1], labels
// 0..2, each class its own frequency. sample_shape {features} or {1, H, W};
// class_names (three, or none) are stored as the file's `class_names`.
inline void make_dataset(const std::string& path, std::int64_t n, std::vector<std::int64_t> sample_shape,
                         bool labels = true, std::vector<std::string> class_names = {}) {
  aeg::Rng rng(11);
  aeg::io::DatasetFormat fmt;
  fmt.sample_shape = sample_shape;
  fmt.dtype = aeg::io::DType::uint8;
  fmt.scale = 255;
  fmt.labels = labels;
  fmt.source = "apps_test";
  fmt.class_names = std::move(class_names);
  std::int64_t features = 1;
  for (auto d : sample_shape) features *= d;
  auto split = [&](std::int64_t rows) {
    aeg::io::SplitData d;
    for (std::int64_t i = 0; i < rows; ++i) {
      const int c = static_cast<int>(rng.below(3));
      if (labels) d.labels.push_back(c);
      for (std::int64_t j = 0; j < features; ++j)
        d.u8.push_back(static_cast<std::uint8_t>(127.5 + 120 * std::sin(0.2 * (c + 1) * static_cast<double>(j)) * rng.uniform(0.5, 1)));
    }
    return d;
  };
  const auto train = split(n), test = split(n / 4);
  aeg::io::write_dataset(path, fmt, train, &test);
}

inline void make_dataset(const std::string& path, std::int64_t n, std::int64_t features) {
  make_dataset(path, n, std::vector<std::int64_t>{features});
}

}  // namespace aeg::test
