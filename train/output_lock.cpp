#include "train/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace aeg::train {

OutputLock::OutputLock(const std::string& out) : path_(out + ".lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(path_ + ": cannot create the lock file (" + std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    if (e == EWOULDBLOCK)
      throw std::runtime_error(out + " is being written by another run (it holds " + path_ + "); wait for it or choose another --out");
    throw std::runtime_error(path_ + ": cannot lock (" + std::strerror(e) + ")");
  }
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still held: a run that opens it next locks a fresh file
  ::close(fd_);
}

}  // namespace aeg::train
