#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "io/error.hpp"

namespace fs = std::filesystem;

namespace aeg::io {
namespace {

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return;  // best effort (some file systems refuse directories)
  ::fsync(fd);
  ::close(fd);
}

std::string folder_of(const std::string& path) {
  fs::path p = fs::path(path).parent_path();
  return p.empty() ? std::string(".") : p.string();
}

}  // namespace

void remove_stale_temps(const std::string& target) {
  const std::string prefix = fs::path(target).filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder_of(target), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    long pid = 0;
    const char* b = name.data() + prefix.size();
    const char* e = name.data() + name.size();
    auto [p, err] = std::from_chars(b, e, pid);
    if (err != std::errc() || p != e || pid <= 0) continue;
    if (pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

TempFile::TempFile(std::string target)
    : target_(std::move(target)), temp_(target_ + ".tmp-" + std::to_string(::getpid())) {
  remove_stale_temps(target_);
  std::error_code ec;
  fs::remove(temp_, ec);
}

TempFile::~TempFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void TempFile::commit() {
  fsync_path(temp_, O_RDONLY);
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw DataError(target_ + ": cannot rename " + temp_ + " over it: " + std::strerror(errno));
  committed_ = true;
  fsync_path(folder_of(target_), O_RDONLY | O_DIRECTORY);
}

}  // namespace aeg::io
