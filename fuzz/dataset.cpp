// A dataset file of arbitrary bytes (io/dataset.hpp), opened as the apps open
// one: describe(), then each split loaded whole (load_split) and streamed by a
// BatchReader, both in memory and within a tiny memory budget (the streaming
// path). Anything may be refused with DataError; nothing may crash, and no
// declared size may make it allocate more than the file can hold. It runs on one
// thread: which thread decodes which chunk would otherwise change the coverage a
// fixed seed reaches (the threaded paths are tested in tests/io/batch_reader_test.cpp).
#include <tbb/global_control.h>

#include <cstdlib>

#include "fuzz/bytes_file.hpp"
#include "io/batch_reader.hpp"
#include "io/dataset.hpp"

namespace {

void read_split(const std::string& path, const aeg::io::DatasetInfo& info, const std::string& split, bool stream) {
  const aeg::io::SplitInfo& s = info.split(split);
  const aeg::io::SplitArrays a = aeg::io::load_split(path, split, 64);
  if (a.x.shape.at(1) != info.features || (s.labels && a.y.size() != static_cast<std::size_t>(a.x.shape[0])))
    std::abort();
  if (s.rows == 0) return;
  aeg::io::ReaderOptions o;
  o.limit = 64;
  o.memory = stream ? 1 : 0;
  aeg::io::BatchReader reader(path, split, std::min<std::int64_t>(4, std::min<std::int64_t>(64, s.rows)), o);
  aeg::io::Batch b;
  while (reader.next(b))
    if (b.x.size() != static_cast<std::size_t>(b.rows * info.features)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  static const std::string path = aeg::fuzz::scratch_path("dataset.h5");
  aeg::fuzz::write_bytes(path, data, size);
  try {
    const aeg::io::DatasetInfo info = aeg::io::describe(path);
    for (bool stream : {false, true}) {
      read_split(path, info, "train", stream);
      if (info.test.present) read_split(path, info, "test", stream);
    }
  } catch (const aeg::io::DataError&) {
  }
  return 0;
}
