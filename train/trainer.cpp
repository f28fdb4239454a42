#include "train/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "engine/executor.hpp"
#include "io/batch_reader.hpp"
#include "io/dataset.hpp"
#include "train/curves.hpp"
#include "train/data_check.hpp"
#include "train/data_parallel.hpp"
#include "train/evaluate.hpp"
#include "train/image_grid.hpp"
#include "train/model_state.hpp"
#include "train/output_lock.hpp"
#include "train/progress.hpp"
#include "train/run_settings.hpp"
#include "train/step_runner.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/model.hpp"

namespace aeg::train {

namespace {

void check_config(const TrainConfig& c) {
  auto bad = [](const std::string& m) { throw std::invalid_argument(m); };
  if (c.epochs < 1) bad("--epochs must be at least 1");
  if (c.batch && *c.batch < 1) bad("--batch must be at least 1");
  if (c.lr && (!(*c.lr > 0) || !std::isfinite(*c.lr))) bad("--lr must be a positive number");
  if (c.threads < 1) bad("--threads must be at least 1");
  if (c.train_limit && *c.train_limit < 0) bad("--train-limit must be >= 0");
  if (c.test_limit && *c.test_limit < 0) bad("--test-limit must be >= 0");
  if (c.data.empty()) bad("--data is required");
  if (c.resume && c.standardize) bad("--resume keeps the checkpoint's own scaling: drop --standardize");
}

// The run's settings: the checkpoint's on resume (a checkpoint from before
// /training trained with the last partial batch dropped), each one the user
// names replacing it.
RunSettings settings_of(const io::Checkpoint& resumed, const std::string& path) {
  if (resumed.training.empty()) {
    RunSettings s;
    s.drop_last = true;
    return s;
  }
  return parse_run_settings(resumed.training, path + ": /training");
}

RunSettings with_given(RunSettings s, const TrainConfig& c) {
  if (c.batch) s.batch = *c.batch;
  if (c.seed) s.seed = *c.seed;
  if (c.train_limit) s.train_limit = *c.train_limit;
  if (c.test_limit) s.test_limit = *c.test_limit;
  if (c.only_class) s.only_class = *c.only_class;
  if (c.drop_last) s.drop_last = *c.drop_last;
  return s;
}

// Rows of the training split, in the order of one epoch: streamed by the
// reader, or (one-class training) picked from the rows of that class.
class TrainSource {
 public:
  // part: {first, count} of a batch of the given rows, this rank's rows of it in
  // a data-parallel run (empty: all of them).
  using Part = std::function<std::pair<std::int64_t, std::int64_t>(std::int64_t)>;
  TrainSource(const TrainConfig& c, const RunSettings& s, const io::DatasetInfo& info, const io::FeedRules& feed,
              Part part = {})
      : s_(s), part_(std::move(part)) {
    if (s.only_class < 0) {
      reader_ = std::make_unique<io::BatchReader>(
          c.data, "train", s.batch,
          io::ReaderOptions{.seed = s.seed, .shuffle = true, .limit = s.train_limit, .drop_last = s.drop_last,
                            .memory = c.data_memory, .feed = feed, .part = part_});
      if (!reader_->layout_warning().empty()) std::fprintf(stderr, "warning: %s\n", reader_->layout_warning().c_str());
      return;
    }
    if (!info.train.labels) throw io::DataError(c.data + ": /train/y is missing; --only-class needs labels");
    io::SplitArrays all = io::load_split(c.data, "train", s.train_limit, feed);
    features_ = info.features;
    for (std::size_t i = 0; i < all.y.size(); ++i)
      if (all.y[i] == s.only_class) {
        x_.insert(x_.end(), all.x.data.begin() + static_cast<std::ptrdiff_t>(i) * features_,
                  all.x.data.begin() + static_cast<std::ptrdiff_t>(i + 1) * features_);
        y_.push_back(all.y[i]);
        index_.push_back(static_cast<std::int64_t>(i));
      }
    if (y_.empty()) throw io::DataError(c.data + ": /train/y has no rows of class " + std::to_string(s.only_class));
  }
  std::int64_t size() const { return reader_ ? reader_->size() : static_cast<std::int64_t>(y_.size()); }
  std::string describe() const { return reader_ ? reader_->plan().describe() : "training rows of one class in memory"; }
  std::int64_t batches() const {
    if (reader_) return reader_->batches_per_epoch();
    return s_.drop_last ? size() / s_.batch : (size() + s_.batch - 1) / s_.batch;
  }
  void start_epoch(std::int64_t e) {
    if (reader_) return reader_->start_epoch(e);
    order_ = io::epoch_order(size(), s_.seed, e);
    pos_ = 0;
  }
  bool next(io::Batch& b) {
    if (reader_) return reader_->next(b);
    const std::int64_t whole = std::min(s_.batch, size() - pos_);
    if (whole <= 0 || (whole < s_.batch && s_.drop_last)) return false;
    const auto [skip, rows] = part_ ? part_(whole) : std::pair<std::int64_t, std::int64_t>(0, whole);
    b.rows = rows;
    b.x.resize(static_cast<std::size_t>(rows * features_));
    b.y.resize(static_cast<std::size_t>(rows));
    b.index.resize(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t i = order_[static_cast<std::size_t>(pos_ + skip + r)];
      std::memcpy(b.x.data() + r * features_, x_.data() + i * features_, sizeof(float) * static_cast<std::size_t>(features_));
      b.y[static_cast<std::size_t>(r)] = y_[static_cast<std::size_t>(i)];
      b.index[static_cast<std::size_t>(r)] = index_[static_cast<std::size_t>(i)];
    }
    pos_ += whole;
    return true;
  }

 private:
  const RunSettings& s_;
  Part part_;
  std::vector<std::int64_t> index_;  // each row's row in the file
  std::unique_ptr<io::BatchReader> reader_;
  std::vector<float> x_;
  std::vector<std::int32_t> y_;
  std::vector<std::int64_t> order_;
  std::int64_t features_ = 0, pos_ = 0;
};

// --standardize: mean and standard deviation per feature over the rows the model
// trains on (the first --train-limit rows of /train/x, of --only-class if given).
io::FeatureScaling standardize(const TrainConfig& c, const RunSettings& s, const io::DatasetInfo& info) {
  if (!info.scaling.empty())
    throw io::DataError(c.data + ": the file is already scaled (/scaling, method " + io::to_string(info.scaling.method) +
                        ", from ae-import --scale): drop --standardize");
  if (s.only_class >= 0 && !info.train.labels)
    throw io::DataError(c.data + ": /train/y is missing; --only-class needs labels");
  io::BatchReader rows(c.data, "train", 4096, {.shuffle = false, .limit = s.train_limit, .prefetch = false});
  io::ScalingFit fit(info.features);
  io::Batch b;
  while (rows.next(b))
    for (std::int64_t i = 0; i < b.rows; ++i)
      if (s.only_class < 0 || b.y[static_cast<std::size_t>(i)] == s.only_class) fit.add(b.x.data() + i * info.features);
  if (fit.rows() == 0)
    throw io::DataError(c.data + ": /train/y has no rows of class " + std::to_string(s.only_class) + " to standardize on");
  return fit.finish(io::ScaleMethod::Standard);
}

void write_recon_picture(const std::string& path, const ModelDef& def, ParamStore<float>& params,
                         const io::SplitArrays& test, int threads, int scale) {
  const zoo::ModelSpec& spec = def.spec;
  if (spec.image_shape.empty()) return;
  const std::int64_t n = std::min<std::int64_t>(8, test.x.shape[0]);
  std::vector<std::int32_t> y(test.y.begin(), test.y.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(test.y.size(), static_cast<std::size_t>(n))));
  const std::vector<float> rec = reconstruct(def, params, test.x.ptr(), y, n, {.batch = n, .threads = threads});
  const std::int64_t f = spec.features;
  Tensor<float> grid({2 * n, spec.image_shape[0], spec.image_shape[1], spec.image_shape[2]});
  std::copy(test.x.ptr(), test.x.ptr() + n * f, grid.ptr());
  std::copy(rec.begin(), rec.end(), grid.ptr() + n * f);
  write_image_grid(path, grid, 2, static_cast<int>(n), scale);
}

// The model fitted to the data on a fresh run: a zoo spec takes the data's
// width and image shape; a hand-built model must already have them.
ModelDef fit_to_data(ModelDef def, const TrainConfig& c, const io::DatasetInfo& info) {
  zoo::ModelSpec& spec = def.spec;
  if (def.is_hand_built()) {
    if (info.features != spec.features)
      throw io::DataError(c.data + ": /train/x has " + std::to_string(info.features) + " features, but the model '" + def.name +
                          "' takes " + std::to_string(spec.features));
    return def;
  }
  spec.features = info.features;
  spec.image_shape = info.image_shape.empty() ? c.image_shape : info.image_shape;
  if (!spec.conv_encoder.empty() && spec.image_shape.size() != 3)
    throw io::DataError(c.data + ": /train/x has no image shape (C,H,W), which the convolutional model '" + spec.recipe +
                        "' needs (ae-train --image-shape C,H,W gives a flat file one)");
  // A spec made for other data (e.g. the recipes' 28 x 28) fails here, naming the data's shape.
  try {
    if (spec.conv_code) spec.code = numel(spec.conv_code_shape());  // the conv output is the code, at this size
    zoo::validate(spec);
  } catch (const std::invalid_argument& e) {
    std::string shape = std::to_string(info.features) + " features";
    if (spec.image_shape.size() == 3)
      shape = std::to_string(spec.image_shape[0]) + "x" + std::to_string(spec.image_shape[1]) + "x" +
              std::to_string(spec.image_shape[2]) + " images";
    throw io::DataError(c.data + ": the model does not fit /train/x (" + shape + "): " + e.what());
  }
  return def;
}

}  // namespace

TrainResult fit(zoo::ModelSpec spec, const TrainConfig& c) { return fit(ModelDef::zoo(std::move(spec)), c); }

TrainResult fit(const ModelDef& model_def, const TrainConfig& c) {
  check_config(c);
  // One writer: in a data-parallel run, rank 0.
  const auto lock = c.ranks && c.ranks->rank() != 0 ? nullptr : std::make_unique<OutputLock>(c.out);
  const io::DatasetInfo info = io::describe(c.data);
  io::Checkpoint resumed;
  ParamStore<float> params;
  ModelDef def = model_def;
  if (c.resume) {
    if (!std::filesystem::exists(c.out))
      throw io::DataError(c.out + ": no checkpoint to resume from (train without --resume first)");
    LoadedModel lm = def.is_hand_built() ? load_model(c.out, def) : load_model(c.out);
    def = std::move(lm.def);
    params = std::move(lm.params);
    resumed = std::move(lm.checkpoint);
    if (info.features != def.spec.features)
      throw io::DataError(c.data + ": /train/x has " + std::to_string(info.features) + " features, but the model in " +
                          c.out + " expects " + std::to_string(def.spec.features));
  } else {
    def = fit_to_data(std::move(def), c, info);
  }
  const zoo::ModelSpec& spec = def.spec;
  const RunSettings before = c.resume ? settings_of(resumed, c.out) : RunSettings{};
  RunSettings run = with_given(before, c);
  if (c.resume && !c.quiet && !resumed.training.empty())
    for (const std::string& d : differences(run, before))
      std::fprintf(stderr, "resuming with %s\n", d.c_str());
  if (spec.conditional && !info.train.labels)
    throw io::DataError(c.data + ": /train/y is missing; a conditional model needs labels");
  // The scaling the model's inputs get, kept in every checkpoint: a resumed run's
  // own, --standardize's, or the one ae-import --scale stored in the file.
  const io::FeatureScaling scaling = c.resume ? resumed.scaling : c.standardize ? standardize(c, run, info) : info.scaling;
  const io::FeedRules feed = feed_rules(spec, scaling);

  // Data-parallel: every batch cut into fixed blocks (train/data_parallel.hpp),
  // an epoch's last, smaller one too (unless --drop-last).
  const auto parallel = make_data_parallel(c.ranks, c.grad_blocks, run.batch, run.seed, def);
  const bool writer = !parallel || parallel->writes();
  if (parallel && !c.quiet)
    std::fprintf(stderr, "data-parallel over %d rank%s x %d threads: each batch of %lld summed over %lld blocks of %lld rows\n",
                 parallel->ranks().size(), parallel->ranks().size() == 1 ? "" : "s", c.threads,
                 static_cast<long long>(run.batch), static_cast<long long>(parallel->layout().blocks),
                 static_cast<long long>(parallel->layout().rows));
  const ExecOptions exec{.threads = c.threads, .seed = run.seed * 7919 + 17};
  const std::unique_ptr<StepRunner> steps =
      make_step_runner(def, params, {.batch = run.batch, .drop_last = run.drop_last, .exec = exec}, parallel.get(), run.seed);
  StepGraph& full = steps->full();
  Adam<float> opt(params, zoo::adam_options(spec, c.lr.value_or(1e-3), c.threads));
  std::int64_t step = 0, first_epoch = 0;
  std::vector<double> train_hist, test_hist;
  CurveHistory curves(resumed);
  if (c.resume) {
    if (resumed.optimizer != opt.name())
      throw io::DataError(c.out + ": /optimizer is '" + resumed.optimizer + "', expected '" + opt.name() + "'");
    try {
      opt.load_state(resumed.optimizer_state, resumed.optimizer_scalars);
    } catch (const std::exception& e) {
      throw io::DataError(c.out + ": /optimizer/state does not match the model: " + e.what());
    }
    // A resumed run goes on as the one it continues (bitwise, as the README promises)
    // unless the user names another learning rate, and then it says so.
    if (c.lr && *c.lr != opt.lr()) {
      if (!c.quiet)
        std::fprintf(stderr, "resuming with --lr %g (the checkpoint trained with %g)\n", *c.lr, opt.lr());
      opt.set_lr(*c.lr);
    }
    full.ex->rng().set_state(resumed.rng_state);
    step = resumed.step;
    first_epoch = resumed.epoch;
    train_hist = resumed.train_loss;
    test_hist = resumed.test_loss;
    if (first_epoch >= c.epochs && !c.quiet)
      std::fprintf(stderr, "%s has already reached epoch %lld; nothing to do\n", c.out.c_str(), static_cast<long long>(first_epoch));
  }

  TrainSource source(c, run, info, feed,
                     parallel ? TrainSource::Part([p = parallel.get()](std::int64_t rows) { return p->part(rows); })
                              : TrainSource::Part());
  if (source.batches() == 0)  // every epoch would run no step and record no loss
    throw std::invalid_argument("--batch " + std::to_string(run.batch) + " is larger than the " + std::to_string(source.size()) +
                                " training samples of " + c.data + " (and --drop-last drops the last, partial batch)");
  // The test split streams through each evaluation in file order (held in memory
  // when it fits the budget); only its first rows stay for the picture.
  const std::string test_split = info.test.present ? "test" : "train";
  const std::int64_t test_limit = info.test.present ? run.test_limit : 1000;
  io::BatchReader test(c.data, test_split, 500,
                       io::ReaderOptions{.shuffle = false, .limit = test_limit, .memory = c.data_memory, .feed = feed});
  const io::SplitArrays shown = io::load_split(c.data, test_split, 8, feed);
  if (!c.quiet)
    std::fprintf(stderr, "model %s: %lld parameters; %lld training samples, %lld batches of %lld per epoch%s; %s set of %lld\n",
                 spec.recipe.c_str(), static_cast<long long>(params.count()), static_cast<long long>(source.size()),
                 static_cast<long long>(source.batches()), static_cast<long long>(run.batch),
                 source.size() % run.batch == 0 ? ""
                 : run.drop_last                 ? " (the last, partial batch dropped)"
                                                 : " (the last one smaller)",
                 info.test.present ? "test" : "no test split: evaluating on a training", static_cast<long long>(test.size()));
  if (!c.quiet) std::fprintf(stderr, "data: %s\n", source.describe().c_str());
  if (!c.quiet && !scaling.empty())
    std::fprintf(stderr, "inputs scaled per feature (%s, %s)\n", io::to_string(scaling.method).c_str(),
                 c.resume ? "the checkpoint's" : c.standardize ? "fitted by --standardize" : "the file's /scaling");
  const std::string folder = std::filesystem::path(c.out).parent_path().string();
  const std::string picture = (folder.empty() ? std::string() : folder + "/") + "recon.png";

  TrainResult result;
  io::Batch batch;
  for (std::int64_t epoch = first_epoch; epoch < c.epochs; ++epoch) {
    source.start_epoch(epoch);
    Progress bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(c.epochs),
                 run.drop_last ? source.batches() * run.batch : source.size(), c.quiet);
    double sum = 0;
    std::int64_t seen = 0, k = 0;
    while (source.next(batch)) {
      if (!steps->trains(batch)) continue;
      const std::int64_t whole = steps->whole_rows(batch, k, source.size());
      if (spec.conditional) {
        // Name the bad label by its row in the file, not its place in a shuffled batch.
        for (std::size_t r = 0; r < batch.y.size(); ++r)
          if (batch.y[r] < 0 || batch.y[r] >= spec.classes)
            throw io::DataError(c.data + ": /train/y row " + std::to_string(batch.index[r]) + " has label " +
                                std::to_string(batch.y[r]) + ", expected 0.." + std::to_string(spec.classes - 1) +
                                " (the model has " + std::to_string(spec.classes) + " classes)");
      }
      const double loss = steps->gradients(batch, whole, step, opt);
      ++k;
      if (!std::isfinite(loss)) {
        std::ostringstream os;
        os << "the training loss became " << loss << " at epoch " << epoch + 1 << ", step " << step + 1 << " (batch " << k
           << " of the epoch); stopped, keeping the last good checkpoint " << c.out << " (try a smaller --lr)";
        throw std::runtime_error(os.str());
      }
      opt.step();
      ++step;
      sum += loss * static_cast<double>(whole);
      seen += whole;
      bar.update(seen, sum / static_cast<double>(seen));
    }
    const Metrics m = evaluate(def, params, test,
                               {.batch = 500, .threads = c.threads, .seed = run.seed + 1000 + static_cast<std::uint64_t>(epoch),
                                .scaling = scaling, .ranks = parallel ? &parallel->ranks() : nullptr});
    train_hist.push_back(seen ? sum / static_cast<double>(seen) : NAN);
    test_hist.push_back(m.loss);
    io::Checkpoint ck = make_checkpoint(def, params, opt);
    ck.training = to_text(run);
    ck.epoch = epoch + 1;
    ck.step = step;
    ck.rng_state = full.ex->rng().state();
    ck.train_loss = train_hist;
    ck.test_loss = test_hist;
    ck.scaling = scaling;
    curves.record(m, ck);  // the penalties' histories
    if (writer) {
      io::save_checkpoint(c.out, ck);
      write_recon_picture(picture, def, params, shown, c.threads, c.picture_scale);
      curves.draw(ck, c.out);  // curves.png and curves.svg beside the checkpoint
    }
    std::ostringstream tail_text;
    tail_text.precision(5);
    tail_text << "epoch " << epoch + 1 << ": train loss " << train_hist.back() << ", test loss " << m.loss;
    if (m.bce) tail_text << " (BCE/px " << m.bce_px << ")";
    if (m.variational) tail_text << " (neg-ELBO " << m.neg_elbo << ")";
    tail_text << "; saved " << c.out;
    bar.finish(tail_text.str());
    result.epochs_run++;
    result.last_train_loss = train_hist.back();
    result.last_test_loss = m.loss;
  }
  return result;
}

}  // namespace aeg::train
