// One writer per output: a training run holds an exclusive lock on "<out>.lock"
// while it runs, so a second run writing the same checkpoint is refused at
// start instead of silently losing one run's epochs.
#pragma once
#include <string>

namespace aeg::train {

class OutputLock {
 public:
  // Throws std::runtime_error naming `out` when another process holds the lock.
  explicit OutputLock(const std::string& out);
  ~OutputLock();  // releases the lock and removes the lock file
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace aeg::train
