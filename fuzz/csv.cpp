// CSV import as `ae-import --csv` runs it (io/csv.hpp, io/import.hpp): the first
// byte picks the options (delimiter, label column, scaling, a test fraction), the
// rest is the file. Anything may be refused with DataError; nothing may crash, and
// an accepted file must describe() back with its rows.
#include <cstdlib>
#include <filesystem>

#include "fuzz/bytes_file.hpp"
#include "io/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::string path = aeg::fuzz::scratch_path("data.csv"), out = aeg::fuzz::scratch_path("csv.h5");
  static const char delimiters[] = {',', ';', '\t', ' ', '|', ',', ',', ','};
  const std::uint8_t o = data[0];
  aeg::io::CsvSource src;
  src.train = path;
  src.delimiter = delimiters[o & 7];
  src.label_column = ((o >> 3) & 3) - 1;  // none, 0, 1, 2
  src.scale = static_cast<aeg::io::ScaleMethod>(((o >> 5) & 3) % 3);
  src.test_fraction = (o & 0x80) ? 0.25 : 0;
  aeg::fuzz::write_bytes(path, data + 1, size - 1);
  try {
    const aeg::io::ImportReport r = aeg::io::import_csv(src, out);
    if (r.info.train.rows < 1 || r.info.features < 1) std::abort();
  } catch (const aeg::io::DataError&) {
  }
  // A refused import leaves nothing behind; an accepted one is replaced by the next.
  std::filesystem::remove(out);
  return 0;
}
