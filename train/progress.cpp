#include "train/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace aeg::train {

Progress::Progress(std::string title, std::int64_t total, bool quiet)
    : title_(std::move(title)), total_(total), tty_(isatty(fileno(stderr)) != 0), quiet_(quiet),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(std::int64_t done, double loss) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
    last_draw_ = now;
    const int width = 30, filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < width) bar += '>' + std::string(static_cast<std::size_t>(width - filled - 1), ' ');
    std::fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld  %.0f samples/s  loss %.4f ", title_.c_str(), bar.c_str(),
                 static_cast<int>(frac * 100), static_cast<long long>(done), static_cast<long long>(total_), rate, loss);
    std::fflush(stderr);
  } else {
    const int tenth = static_cast<int>(frac * 10);
    if (tenth == last_tenth_) return;
    last_tenth_ = tenth;
    std::fprintf(stderr, "%s %3d%% %lld/%lld  %.0f samples/s  loss %.4f\n", title_.c_str(), tenth * 10,
                 static_cast<long long>(done), static_cast<long long>(total_), rate, loss);
  }
}

void Progress::finish(const std::string& tail) {
  if (quiet_) return;
  if (tty_) std::fprintf(stderr, "\n");
  if (!tail.empty()) std::fprintf(stderr, "%s\n", tail.c_str());
}

}  // namespace aeg::train
