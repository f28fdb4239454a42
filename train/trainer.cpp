#include "train/trainer.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "train/data_check.hpp"
#include "train/evaluate.hpp"
#include "train/image_grid.hpp"
#include "train/model_state.hpp"
#include "train/output_lock.hpp"
#include "train/progress.hpp"
#include "engine/executor.hpp"
#include "io/batch_reader.hpp"
#include "io/dataset.hpp"
#include "zoo/adam_options.hpp"
#include "zoo/model.hpp"

namespace aeg::train {

namespace {

void check_config(const TrainConfig& c) {
  auto bad = [](const std::string& m) { throw std::invalid_argument(m); };
  if (c.epochs < 1) bad("--epochs must be at least 1");
  if (c.batch < 1) bad("--batch must be at least 1");
  if (!(c.lr > 0) || !std::isfinite(c.lr)) bad("--lr must be a positive number");
  if (c.threads < 1) bad("--threads must be at least 1");
  if (c.train_limit < 0) bad("--train-limit must be >= 0");
  if (c.data.empty()) bad("--data is required");
  if (c.resume && c.standardize) bad("--resume keeps the checkpoint's own scaling: drop --standardize");
}

// Rows of the training split, in the order of one epoch: streamed by the
// reader, or (one-class training) picked from the rows of that class.
class TrainSource {
 public:
  TrainSource(const TrainConfig& c, const io::DatasetInfo& info, const io::FeedRules& feed) : c_(c) {
    if (c.only_class < 0) {
      reader_ = std::make_unique<io::BatchReader>(
          c.data, "train", c.batch,
          io::ReaderOptions{.seed = c.seed, .shuffle = true, .limit = c.train_limit, .drop_last = true, .memory = c.data_memory,
                            .feed = feed});
      if (!reader_->layout_warning().empty()) std::fprintf(stderr, "warning: %s\n", reader_->layout_warning().c_str());
      return;
    }
    if (!info.train.labels) throw io::DataError(c.data + ": /train/y is missing; --only-class needs labels");
    io::SplitArrays all = io::load_split(c.data, "train", c.train_limit, feed);
    features_ = info.features;
    for (std::size_t i = 0; i < all.y.size(); ++i)
      if (all.y[i] == c.only_class) {
        x_.insert(x_.end(), all.x.data.begin() + static_cast<std::ptrdiff_t>(i) * features_,
                  all.x.data.begin() + static_cast<std::ptrdiff_t>(i + 1) * features_);
        y_.push_back(all.y[i]);
      }
    if (static_cast<std::int64_t>(y_.size()) < c.batch)
      throw io::DataError(c.data + ": /train/y has " + std::to_string(y_.size()) + " rows of class " +
                          std::to_string(c.only_class) + ", fewer than one batch of " + std::to_string(c.batch));
  }
  std::int64_t size() const { return reader_ ? reader_->size() : static_cast<std::int64_t>(y_.size()); }
  std::string describe() const { return reader_ ? reader_->plan().describe() : "training rows of one class in memory"; }
  std::int64_t batches() const { return reader_ ? reader_->batches_per_epoch() : size() / c_.batch; }
  void start_epoch(std::int64_t e) {
    if (reader_) return reader_->start_epoch(e);
    order_ = io::epoch_order(size(), c_.seed, e);
    pos_ = 0;
  }
  bool next(io::Batch& b) {
    if (reader_) return reader_->next(b);
    if (pos_ + c_.batch > size()) return false;
    b.rows = c_.batch;
    b.x.resize(static_cast<std::size_t>(c_.batch * features_));
    b.y.resize(static_cast<std::size_t>(c_.batch));
    for (std::int64_t r = 0; r < c_.batch; ++r) {
      const std::int64_t i = order_[static_cast<std::size_t>(pos_ + r)];
      std::memcpy(b.x.data() + r * features_, x_.data() + i * features_, sizeof(float) * static_cast<std::size_t>(features_));
      b.y[static_cast<std::size_t>(r)] = y_[static_cast<std::size_t>(i)];
    }
    pos_ += c_.batch;
    return true;
  }

 private:
  const TrainConfig& c_;
  std::unique_ptr<io::BatchReader> reader_;
  std::vector<float> x_;
  std::vector<std::int32_t> y_;
  std::vector<std::int64_t> order_;
  std::int64_t features_ = 0, pos_ = 0;
};

// --standardize: mean and standard deviation per feature over the rows the model
// trains on (the first --train-limit rows of /train/x, of --only-class if given).
io::FeatureScaling standardize(const TrainConfig& c, const io::DatasetInfo& info) {
  if (!info.scaling.empty())
    throw io::DataError(c.data + ": the file is already scaled (/scaling, method " + io::to_string(info.scaling.method) +
                        ", from ae-import --scale): drop --standardize");
  if (c.only_class >= 0 && !info.train.labels)
    throw io::DataError(c.data + ": /train/y is missing; --only-class needs labels");
  io::BatchReader rows(c.data, "train", 4096, {.shuffle = false, .limit = c.train_limit, .prefetch = false});
  io::ScalingFit fit(info.features);
  io::Batch b;
  while (rows.next(b))
    for (std::int64_t i = 0; i < b.rows; ++i)
      if (c.only_class < 0 || b.y[static_cast<std::size_t>(i)] == c.only_class) fit.add(b.x.data() + i * info.features);
  if (fit.rows() == 0)
    throw io::DataError(c.data + ": /train/y has no rows of class " + std::to_string(c.only_class) + " to standardize on");
  return fit.finish(io::ScaleMethod::Standard);
}

void write_recon_picture(const std::string& path, const zoo::ModelSpec& spec, ParamStore<float>& params,
                         const io::SplitArrays& test, int threads) {
  if (spec.image_shape.empty()) return;
  const std::int64_t n = std::min<std::int64_t>(8, test.x.shape[0]);
  std::vector<std::int32_t> y(test.y.begin(), test.y.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(test.y.size(), static_cast<std::size_t>(n))));
  const std::vector<float> rec = reconstruct(spec, params, test.x.ptr(), y, n, {.batch = n, .threads = threads});
  const std::int64_t f = spec.features;
  Tensor<float> grid({2 * n, spec.image_shape[0], spec.image_shape[1], spec.image_shape[2]});
  std::copy(test.x.ptr(), test.x.ptr() + n * f, grid.ptr());
  std::copy(rec.begin(), rec.end(), grid.ptr() + n * f);
  write_image_grid(path, grid, 2, static_cast<int>(n));
}

}  // namespace

TrainResult fit(zoo::ModelSpec spec, const TrainConfig& c) {
  check_config(c);
  const OutputLock lock(c.out);
  const io::DatasetInfo info = io::describe(c.data);
  io::Checkpoint resumed;
  ParamStore<float> params;
  if (c.resume) {
    if (!std::filesystem::exists(c.out))
      throw io::DataError(c.out + ": no checkpoint to resume from (train without --resume first)");
    LoadedModel lm = load_model(c.out);
    spec = lm.spec;
    params = std::move(lm.params);
    resumed = std::move(lm.checkpoint);
    if (info.features != spec.features)
      throw io::DataError(c.data + ": /train/x has " + std::to_string(info.features) + " features, but the model in " +
                          c.out + " expects " + std::to_string(spec.features));
  } else {
    spec.features = info.features;
    spec.image_shape = info.image_shape.empty() ? c.image_shape : info.image_shape;
    if (!spec.conv_encoder.empty() && spec.image_shape.size() != 3)
      throw io::DataError(c.data + ": /train/x has no image shape (C,H,W), which the convolutional model '" +
                          spec.recipe + "' needs (ae-train --image-shape C,H,W gives a flat file one)");
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
  }
  if (spec.conditional && !info.train.labels)
    throw io::DataError(c.data + ": /train/y is missing; a conditional model needs labels");
  // The scaling the model's inputs get, kept in every checkpoint: a resumed run's
  // own, --standardize's, or the one ae-import --scale stored in the file.
  const io::FeatureScaling scaling = c.resume ? resumed.scaling : c.standardize ? standardize(c, info) : info.scaling;
  const io::FeedRules feed = feed_rules(spec, scaling);

  auto model = zoo::build(spec, c.batch);
  const Plan plan = compile(model->graph, {model->loss});
  Rng init_rng(c.seed);
  params.init_from(model->graph, init_rng);  // a resumed store already has every parameter
  Adam<float> opt(params, zoo::adam_options(spec, c.lr, c.threads));
  Executor<float> ex(plan, params, {.threads = c.threads, .seed = c.seed * 7919 + 17});
  std::int64_t step = 0, first_epoch = 0;
  std::vector<double> train_hist, test_hist;
  if (c.resume) {
    if (resumed.optimizer != opt.name())
      throw io::DataError(c.out + ": /optimizer is '" + resumed.optimizer + "', expected '" + opt.name() + "'");
    opt.load_state(resumed.optimizer_state, resumed.optimizer_scalars);
    // A resumed run goes on as the one it continues (bitwise, as the README promises)
    // unless the user names another learning rate, and then it says so.
    if (c.lr_given && c.lr != opt.lr()) {
      if (!c.quiet)
        std::fprintf(stderr, "resuming with --lr %g (the checkpoint trained with %g)\n", c.lr, opt.lr());
      opt.set_lr(c.lr);
    }
    ex.rng().set_state(resumed.rng_state);
    step = resumed.step;
    first_epoch = resumed.epoch;
    train_hist = resumed.train_loss;
    test_hist = resumed.test_loss;
    if (first_epoch >= c.epochs && !c.quiet)
      std::fprintf(stderr, "%s has already reached epoch %lld; nothing to do\n", c.out.c_str(), static_cast<long long>(first_epoch));
  }

  TrainSource source(c, info, feed);
  if (source.batches() == 0)  // every epoch would run no step and record no loss
    throw std::invalid_argument("--batch " + std::to_string(c.batch) + " is larger than the " + std::to_string(source.size()) +
                                " training samples of " + c.data + " (the last, partial batch is dropped)");
  // The test split streams through each evaluation in file order (held in memory
  // when it fits the budget); only its first rows stay for the picture.
  const std::string test_split = info.test.present ? "test" : "train";
  const std::int64_t test_limit = info.test.present ? c.test_limit : 1000;
  io::BatchReader test(c.data, test_split, 500,
                       io::ReaderOptions{.shuffle = false, .limit = test_limit, .memory = c.data_memory, .feed = feed});
  const io::SplitArrays shown = io::load_split(c.data, test_split, 8, feed);
  if (!c.quiet)
    std::fprintf(stderr, "model %s: %lld parameters; %lld training samples, %lld batches of %lld per epoch; %s set of %lld\n",
                 spec.recipe.c_str(), static_cast<long long>(params.count()), static_cast<long long>(source.size()),
                 static_cast<long long>(source.batches()), static_cast<long long>(c.batch),
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
    Progress bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(c.epochs), source.batches() * c.batch, c.quiet);
    double sum = 0;
    std::int64_t seen = 0, k = 0;
    while (source.next(batch)) {
      if (batch.rows != c.batch) continue;
      ex.bind_input(model->x, batch.x);  // read in place: batch lives through the step
      if (spec.conditional) {
        // Name the bad label by its row in the file, not its place in a shuffled batch.
        for (std::size_t r = 0; r < batch.y.size(); ++r)
          if (batch.y[r] < 0 || batch.y[r] >= spec.classes)
            throw io::DataError(c.data + ": /train/y row " + std::to_string(batch.index[r]) + " has label " +
                                std::to_string(batch.y[r]) + ", expected 0.." + std::to_string(spec.classes - 1) +
                                " (the model has " + std::to_string(spec.classes) + " classes)");
        one_hot(ex.input_data(model->label), batch.y, 0, c.batch, spec.classes);
      }
      opt.zero_grad();
      ex.forward();
      const double loss = ex.scalar(model->loss);
      ++k;
      if (!std::isfinite(loss)) {
        std::ostringstream os;
        os << "the training loss became " << loss << " at epoch " << epoch + 1 << ", step " << step + 1 << " (batch " << k
           << " of the epoch); stopped, keeping the last good checkpoint " << c.out << " (try a smaller --lr)";
        throw std::runtime_error(os.str());
      }
      ex.backward();
      opt.step();
      ++step;
      sum += loss * static_cast<double>(c.batch);
      seen += c.batch;
      bar.update(seen, sum / static_cast<double>(seen));
    }
    const Metrics m = evaluate(spec, params, test,
                               {.batch = 500, .threads = c.threads, .seed = c.seed + 1000 + static_cast<std::uint64_t>(epoch),
                                .scaling = scaling});
    train_hist.push_back(seen ? sum / static_cast<double>(seen) : NAN);
    test_hist.push_back(m.loss);
    io::Checkpoint ck = make_checkpoint(spec, params, opt);
    ck.epoch = epoch + 1;
    ck.step = step;
    ck.rng_state = ex.rng().state();
    ck.train_loss = train_hist;
    ck.test_loss = test_hist;
    ck.scaling = scaling;
    io::save_checkpoint(c.out, ck);
    write_recon_picture(picture, spec, params, shown, c.threads);
    std::ostringstream tail;
    tail.precision(5);
    tail << "epoch " << epoch + 1 << ": train loss " << train_hist.back() << ", test loss " << m.loss;
    if (m.bce) tail << " (BCE/px " << m.bce_px << ")";
    if (m.variational) tail << " (neg-ELBO " << m.neg_elbo << ")";
    tail << "; saved " << c.out;
    bar.finish(tail.str());
    result.epochs_run++;
    result.last_train_loss = train_hist.back();
    result.last_test_loss = m.loss;
  }
  return result;
}

}  // namespace aeg::train
