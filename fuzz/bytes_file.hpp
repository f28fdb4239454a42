// The parsers under test read files by path, as the apps do: each input is
// written to one scratch file, which the next input overwrites.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace aeg::fuzz {

// In $AEGRAPH_FUZZ_SCRATCH when set: scripts/fuzz.sh sets one fixed folder for every
// run on every machine (one run at a time, emptied before each process), because libFuzzer feeds the
// bytes our code compares back into its mutations, and a path that changed from run to
// run (a process id in it) would make a fixed seed try other inputs. Elsewhere one
// file per process, in /dev/shm when there is one, so that no disk is touched.
inline std::string scratch_path(const std::string& name) {
  if (const char* fixed = std::getenv("AEGRAPH_FUZZ_SCRATCH"); fixed && *fixed) return std::string(fixed) + "/" + name;
  const char* dir = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  return std::string(dir) + "/aegraph-fuzz-" + std::to_string(::getpid()) + "-" + name;
}

// Writes `size` bytes to `path`; aborts if it cannot (a harness fault, not a finding).
inline void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
}

}  // namespace aeg::fuzz
