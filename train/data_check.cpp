#include "train/data_check.hpp"

#include <cstdio>
#include <stdexcept>

#include "io/dataset.hpp"
#include "io/error.hpp"

namespace aeg::train {

io::FeedRules feed_rules(const zoo::ModelSpec& spec, const io::FeatureScaling& scaling) {
  const zoo::TargetRange r = zoo::target_range(spec);
  return {scaling, {r.lo, r.hi, r.need, r.remedy}};
}

namespace {

// What load_for_model and open_for_model check before reading.
void check_for_model(const std::string& data, const std::string& split, std::int64_t limit, const LoadedModel& model,
                     const std::string& checkpoint) {
  if (split != "train" && split != "test") throw std::invalid_argument("--split must be train or test");
  if (limit < 0) throw std::invalid_argument("--limit must be 0 (all) or positive");
  const zoo::ModelSpec& spec = model.spec;
  const io::DatasetInfo info = io::describe(data);
  const std::string dset = "/" + split + "/x";
  if (info.features != spec.features)
    throw io::DataError(data + ": " + dset + " has " + std::to_string(info.features) + " features, but the model in " +
                        checkpoint + " expects " + std::to_string(spec.features));
  if (spec.conditional && !info.split(split).labels)
    throw io::DataError(data + ": /" + split + "/y is missing; the conditional model in " + checkpoint + " needs labels");
  if (const std::string note = io::assumed_scale_note(info); !note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
}

}  // namespace

io::SplitArrays load_for_model(const std::string& data, const std::string& split, std::int64_t limit,
                               const LoadedModel& model, const std::string& checkpoint) {
  check_for_model(data, split, limit, model, checkpoint);
  return io::load_split(data, split, limit, feed_rules(model.spec, model.checkpoint.scaling));
}

std::unique_ptr<io::BatchReader> open_for_model(const std::string& data, const std::string& split, std::int64_t limit,
                                                std::int64_t batch, const LoadedModel& model, const std::string& checkpoint) {
  check_for_model(data, split, limit, model, checkpoint);
  return std::make_unique<io::BatchReader>(
      data, split, batch,
      io::ReaderOptions{.shuffle = false, .limit = limit, .memory = std::int64_t{64} << 20,
                        .feed = feed_rules(model.spec, model.checkpoint.scaling)});
}

}  // namespace aeg::train
