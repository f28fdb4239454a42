// A progress bar on a terminal; plain lines (every tenth of the way) otherwise.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace aeg::train {

class Progress {
 public:
  Progress(std::string title, std::int64_t total, bool quiet = false);
  // `done` samples so far; `loss` the running mean.
  void update(std::int64_t done, double loss);
  void finish(const std::string& tail);

 private:
  std::string title_;
  std::int64_t total_;
  bool tty_, quiet_;
  int last_tenth_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace aeg::train
