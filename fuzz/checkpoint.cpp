// A checkpoint of arbitrary bytes (io/checkpoint.hpp), loaded as ae-eval and
// --resume load one, then its /spec parsed (zoo/spec.hpp). Anything may be
// refused with DataError or std::invalid_argument; nothing may crash, and no
// declared size may make it allocate more than the file can hold.
#include "fuzz/bytes_file.hpp"
#include "io/checkpoint.hpp"
#include "zoo/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = aeg::fuzz::scratch_path("checkpoint.h5");
  aeg::fuzz::write_bytes(path, data, size);
  try {
    const aeg::io::Checkpoint ck = aeg::io::load_checkpoint(path);
    aeg::zoo::validate(aeg::zoo::parse_spec(ck.spec));
  } catch (const aeg::io::DataError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
