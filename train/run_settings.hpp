// The settings that make a training run what it is, kept in its checkpoint
// (/training) so that --resume goes on as the run it continues: a setting the
// user does not name again is the checkpoint's, and one named with another
// value is said.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aeg::train {

struct RunSettings {
  std::int64_t batch = 256;
  std::uint64_t seed = 1;
  std::int64_t train_limit = 0;  // the first N training rows (0 = all)
  std::int64_t test_limit = 0;   // the first N test rows (0 = all)
  std::int32_t only_class = -1;  // one class only (-1 = all)
  bool drop_last = false;        // true: the last, smaller batch of an epoch is not trained on
};

// "key = value" lines; parse throws std::invalid_argument naming `where` and the line.
std::string to_text(const RunSettings& s);
RunSettings parse_run_settings(const std::string& text, const std::string& where);

// The lines "--batch 128 (the checkpoint trained with 256)" for every setting
// that differs.
std::vector<std::string> differences(const RunSettings& now, const RunSettings& before);

}  // namespace aeg::train
