// Write-then-rename: a file is written under "<target>.tmp-<pid>" in the same
// folder and only renamed over the target once complete, so readers never see
// a half-written file. Destroying an uncommitted TempFile removes the temp.
#pragma once
#include <string>

namespace aeg::io {

class TempFile {
 public:
  explicit TempFile(std::string target);  // removes stale temps of dead processes
  ~TempFile();                             // removes the temp unless committed
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return temp_; }
  const std::string& target() const { return target_; }

  // fsync the temp, rename it over the target, fsync the folder.
  void commit();

 private:
  std::string target_, temp_;
  bool committed_ = false;
};

// Temp files "<target>.tmp-<pid>" left by processes that no longer run.
void remove_stale_temps(const std::string& target);

}  // namespace aeg::io
