#include "train/evaluate.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/batch_reader.hpp"
#include "engine/executor.hpp"
#include "train/data_parallel.hpp"
#include "zoo/model.hpp"

namespace aeg::train {

void one_hot(float* dst, const std::vector<std::int32_t>& labels, std::int64_t first, std::int64_t rows,
             std::int64_t classes) {
  std::fill(dst, dst + rows * classes, 0.0f);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int32_t c = labels[static_cast<std::size_t>(first + r)];
    if (c < 0 || c >= classes)
      throw std::invalid_argument("label " + std::to_string(c) + " of row " + std::to_string(first + r) +
                                  " is outside 0.." + std::to_string(classes - 1));
    dst[r * classes + c] = 1.0f;
  }
}

namespace {

// One evaluation graph at one batch size.
struct Runner {
  std::unique_ptr<zoo::Model> model;
  Plan plan;
  std::unique_ptr<Executor<float>> ex;
  Runner(const ModelDef& def, std::int64_t batch, ParamStore<float>& params, const EvalOptions& o)
      : model(def.make(batch, {.separate_target = true, .jacobian_norm = o.jacobian})), plan(make_plan(*model)) {
    ex = std::make_unique<Executor<float>>(plan, params, ExecOptions{.threads = o.threads, .seed = o.seed});
  }
  static Plan make_plan(const zoo::Model& m) {
    std::vector<Var> outs{m.loss, m.recon_loss, m.recon, m.code};
    for (const auto& p : m.penalties) outs.push_back(p.raw);
    return compile(m.graph, outs, {.grads = false});
  }
};

// One batch as fed to the model: rows x features, and labels (rows of them, or null).
struct Rows {
  const float* x = nullptr;
  const std::int32_t* y = nullptr;
  std::int64_t rows = 0;
};

// Runs the model over the batches next() gives (false at the end), in order, and
// calls fn(runner, first, rows) after each forward pass. A graph is built per
// batch size (the full one and the last), each once. `skipped` full batches of
// `skipped_rows` rows went before (evaluated by other ranks): the generators
// are moved on past the numbers they drew.
void over_rows(const ModelDef& def, ParamStore<float>& params, const EvalOptions& o,
               const std::function<bool(Rows&)>& next, const std::function<void(Runner&, std::int64_t, const Rows&)>& fn,
               std::int64_t skipped = 0, std::int64_t skipped_rows = 0) {
  const zoo::ModelSpec& spec = def.spec;
  Rng noise_rng(o.seed ^ 0x5eedULL);
  const zoo::TargetRange range = zoo::target_range(spec);
  const std::int64_t f = spec.features;
  std::unique_ptr<Runner> full, rest;
  std::int64_t full_rows = 0, rest_rows = 0;
  std::vector<std::int32_t> labels;
  std::vector<float> scratch;
  for (std::int64_t k = 0; k < skipped; ++k) {
    // corrupt() draws as many numbers whatever the values.
    scratch.assign(static_cast<std::size_t>(skipped_rows * f), 0.0f);
    zoo::corrupt(scratch.data(), skipped_rows * f, o.noise.noise, o.noise.level, noise_rng, range.lo, range.hi);
  }
  Rows b;
  for (std::int64_t first = 0; next(b); first += b.rows) {
    if (!full) full_rows = b.rows;
    const bool is_full = b.rows == full_rows;
    std::unique_ptr<Runner>& r = is_full ? full : rest;
    if (!is_full && rest && rest_rows != b.rows) rest.reset();  // a third size: rebuild
    if (!r) {
      r = std::make_unique<Runner>(def, b.rows, params, o);
      if (!is_full) rest_rows = b.rows;
      // An evaluation plan's one random op is the variational code's sample:
      // one normal draw per code value of each batch before.
      if (skipped > 0 && b.rows == skipped_rows && spec.variational)
        for (std::int64_t i = 0; i < skipped * skipped_rows * spec.code; ++i) r->ex->rng().normal();
    }
    float* in = r->ex->input_data(r->model->x);
    std::memcpy(in, b.x, sizeof(float) * static_cast<std::size_t>(b.rows * f));
    zoo::corrupt(in, b.rows * f, o.noise.noise, o.noise.level, noise_rng, range.lo, range.hi);
    std::memcpy(r->ex->input_data(r->model->target), b.x, sizeof(float) * static_cast<std::size_t>(b.rows * f));
    if (spec.conditional) {
      if (!b.y) throw std::invalid_argument("a conditional model needs labels, and the data have none");
      labels.assign(b.y, b.y + b.rows);
      one_hot(r->ex->input_data(r->model->label), labels, 0, b.rows, spec.classes);
    }
    r->ex->forward();
    fn(*r, first, b);
  }
}

// Runs fn over [0, n) of rows in memory, in batches of o.batch (the last smaller).
void in_batches(const ModelDef& def, ParamStore<float>& params, std::int64_t n, const EvalOptions& o,
                const float* x, const std::vector<std::int32_t>& labels,
                const std::function<void(Runner&, std::int64_t, const Rows&)>& fn) {
  const zoo::ModelSpec& spec = def.spec;
  if (n <= 0) throw std::invalid_argument("evaluate: no samples");
  if (o.batch < 1) throw std::invalid_argument("the batch size must be at least 1, got " + std::to_string(o.batch));
  if (spec.conditional && static_cast<std::int64_t>(labels.size()) < n)
    throw std::invalid_argument("a conditional model needs labels, and the data have none");
  const std::int64_t b = std::min(o.batch, n), f = spec.features;
  std::int64_t at = 0;
  over_rows(def, params, o, [&](Rows& r) {
    if (at >= n) return false;
    r.rows = std::min(b, n - at);
    r.x = x + at * f;
    r.y = labels.empty() ? nullptr : labels.data() + at;
    at += r.rows;
    return true;
  }, fn);
}

// The figures of evaluate(), added up batch by batch.
class Tally {
 public:
  Tally(const zoo::ModelSpec& spec, const EvalOptions& o) : spec_(spec), o_(o), alive_(static_cast<std::size_t>(spec.code), 0) {
    m_.bce = spec.loss == zoo::Loss::BCE;
    m_.variational = spec.variational;
    m_.scaled = !o.scaling.empty();
    if (m_.scaled && static_cast<std::int64_t>(o.scaling.scale.size()) != spec.features)
      throw std::invalid_argument("evaluate: a scaling of " + std::to_string(o.scaling.scale.size()) + " features for a model of " +
                                  std::to_string(spec.features));
  }

  // The figures of one batch, as a flat list (sums over its rows), and
  // fold(): adding such lists in batch order gives the same bits wherever each
  // batch was evaluated.
  std::vector<double> figures(Runner& r, const Rows& b) const {
    const auto& md = *r.model;
    const std::int64_t f = spec_.features, rows = b.rows;
    const double w = static_cast<double>(rows);
    std::vector<double> v;
    v.push_back(w * r.ex->scalar(md.loss));
    v.push_back(w * r.ex->scalar(md.recon_loss));
    for (const auto& p : md.penalties) v.push_back(w * r.ex->scalar(p.raw));
    double sq = 0, sq_unscaled = 0, code_sum = 0;
    const float* y = r.ex->value_data(md.recon);
    for (std::int64_t i = 0; i < rows * f; ++i) {
      const double d = static_cast<double>(y[i]) - b.x[i];
      sq += d * d;
      // Inverting the scaling multiplies a difference by its feature's scale (the offsets cancel).
      if (m_.scaled) {
        const double s = o_.scaling.scale[static_cast<std::size_t>(i % f)];
        sq_unscaled += d * d * s * s;
      }
    }
    std::vector<double> alive(static_cast<std::size_t>(spec_.code), 0.0);
    const float* c = r.ex->value_data(md.code);
    const std::int64_t cn = rows * spec_.code;
    for (std::int64_t i = 0; i < cn; ++i) {
      code_sum += c[i];
      if (c[i] != 0) alive[static_cast<std::size_t>(i % spec_.code)] = 1;
    }
    v.insert(v.end(), {sq, sq_unscaled, code_sum, static_cast<double>(cn), w});
    v.insert(v.end(), alive.begin(), alive.end());
    return v;
  }
  std::size_t width(std::size_t penalties) const { return 2 + penalties + 5 + static_cast<std::size_t>(spec_.code); }

  void fold(const double* v, const std::vector<std::string>& penalty_names) {
    if (m_.penalties.empty())
      for (const auto& name : penalty_names) m_.penalties.emplace_back(name, 0.0);
    const std::size_t np = penalty_names.size();
    pen_.resize(np);
    m_.loss += v[0];
    m_.recon += v[1];
    for (std::size_t k = 0; k < np; ++k) pen_[k] += v[2 + k];
    const double* t = v + 2 + np;
    sq_ += t[0];
    sq_unscaled_ += t[1];
    code_sum_ += t[2];
    code_count_ += static_cast<std::int64_t>(t[3]);
    n_ += static_cast<std::int64_t>(t[4]);
    for (std::size_t j = 0; j < alive_.size(); ++j)
      if (t[5 + j] != 0) alive_[j] = 1;
  }

  void add(Runner& r, const Rows& b) {
    std::vector<std::string> names;
    for (const auto& p : r.model->penalties) names.push_back(p.name);
    fold(figures(r, b).data(), names);
  }

  Metrics finish() {
    if (n_ == 0) throw std::invalid_argument("evaluate: no samples");
    const double N = static_cast<double>(n_), f = static_cast<double>(spec_.features);
    Metrics m = m_;
    m.samples = n_;
    m.loss /= N;
    m.recon /= N;
    for (std::size_t k = 0; k < pen_.size(); ++k) m.penalties[k].second = pen_[k] / N;
    m.bce_px = m.bce ? m.recon / f : 0;
    m.mse_px = sq_ / (N * f);
    m.mse_px_unscaled = sq_unscaled_ / (N * f);
    m.mean_code = code_count_ ? code_sum_ / static_cast<double>(code_count_) : 0;
    m.dead_code = std::count(alive_.begin(), alive_.end(), 0);
    for (const auto& [name, v] : m.penalties)
      if (name == "kl") m.kl = v;
    if (m.variational) m.neg_elbo = m.recon + m.kl;
    return m;
  }

 private:
  const zoo::ModelSpec& spec_;
  const EvalOptions& o_;
  Metrics m_;
  double sq_ = 0, sq_unscaled_ = 0, code_sum_ = 0;
  std::int64_t code_count_ = 0, n_ = 0;
  std::vector<char> alive_;
  std::vector<double> pen_;
};

}  // namespace

Metrics evaluate(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                 const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& o,
                 std::vector<float>* reconstructions) {
  return evaluate(ModelDef::zoo(spec), params, x, labels, n, o, reconstructions);
}

Metrics evaluate(const ModelDef& def, ParamStore<float>& params, const float* x,
                 const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& o,
                 std::vector<float>* reconstructions) {
  const zoo::ModelSpec& spec = def.spec;
  Tally tally(spec, o);
  const std::int64_t f = spec.features;
  if (reconstructions) reconstructions->resize(static_cast<std::size_t>(n * f));
  in_batches(def, params, n, o, x, labels, [&](Runner& r, std::int64_t first, const Rows& b) {
    tally.add(r, b);
    if (reconstructions) {
      const float* y = r.ex->value_data(r.model->recon);
      std::copy(y, y + b.rows * f, reconstructions->begin() + first * f);
    }
  });
  return tally.finish();
}

Metrics evaluate(const zoo::ModelSpec& spec, ParamStore<float>& params, io::BatchReader& reader, const EvalOptions& o,
                 const std::function<void(const io::Batch&, const float* recon)>& each_batch) {
  return evaluate(ModelDef::zoo(spec), params, reader, o, each_batch);
}

Metrics evaluate(const ModelDef& def, ParamStore<float>& params, io::BatchReader& reader, const EvalOptions& o,
                 const std::function<void(const io::Batch&, const float* recon)>& each_batch) {
  const zoo::ModelSpec& spec = def.spec;
  if (reader.features() != spec.features)
    throw std::invalid_argument("evaluate: the reader gives " + std::to_string(reader.features()) + " features, the model takes " +
                                std::to_string(spec.features));
  Tally tally(spec, o);
  io::Batch batch;
  reader.start_epoch(0);
  const int ranks = o.ranks ? o.ranks->size() : 1, me = o.ranks ? o.ranks->rank() : 0;
  if (ranks == 1) {
    over_rows(def, params, o, [&](Rows& r) {
      if (!reader.next(batch)) return false;
      r = {batch.x.data(), batch.y.empty() ? nullptr : batch.y.data(), batch.rows};
      return true;
    }, [&](Runner& r, std::int64_t, const Rows& b) {
      tally.add(r, b);
      if (each_batch) each_batch(batch, r.ex->value_data(r.model->recon));
    });
    return tally.finish();
  }
  // Split over the ranks: rank k evaluates a run of the batches, and every
  // rank adds up every batch's figures in batch order.
  const std::int64_t batches = reader.batches_per_epoch();
  auto first = [&](int k) { return batches * k / ranks; };
  std::vector<std::string> names;
  const auto shape = def.make(1, {.separate_target = true, .jacobian_norm = o.jacobian});  // its penalties' names
  for (const auto& p : shape->penalties) names.push_back(p.name);
  const std::size_t width = tally.width(names.size());
  std::vector<double> mine;
  reader.skip(first(me));
  std::int64_t left = first(me + 1) - first(me);
  over_rows(def, params, o, [&](Rows& r) {
    if (left-- <= 0 || !reader.next(batch)) return false;
    r = {batch.x.data(), batch.y.empty() ? nullptr : batch.y.data(), batch.rows};
    return true;
  }, [&](Runner& r, std::int64_t, const Rows& b) {
    const std::vector<double> v = tally.figures(r, b);
    mine.insert(mine.end(), v.begin(), v.end());
    if (each_batch) each_batch(batch, r.ex->value_data(r.model->recon));
  }, first(me), reader.batch_size());
  std::vector<int> counts;
  for (int k = 0; k < ranks; ++k) counts.push_back(static_cast<int>(static_cast<std::size_t>(first(k + 1) - first(k)) * width));
  std::vector<double> all(static_cast<std::size_t>(batches) * width);
  o.ranks->all_gather(mine, all, counts);
  for (std::int64_t k = 0; k < batches; ++k) tally.fold(all.data() + static_cast<std::size_t>(k) * width, names);
  return tally.finish();
}

std::vector<float> reconstruct(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                               const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& o) {
  return reconstruct(ModelDef::zoo(spec), params, x, labels, n, o);
}

std::vector<float> reconstruct(const ModelDef& def, ParamStore<float>& params, const float* x,
                               const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& o) {
  const zoo::ModelSpec& spec = def.spec;
  std::vector<float> out(static_cast<std::size_t>(n * spec.features));
  in_batches(def, params, n, o, x, labels, [&](Runner& r, std::int64_t first, const Rows& b) {
    const float* y = r.ex->value_data(r.model->recon);
    std::copy(y, y + b.rows * spec.features, out.begin() + first * spec.features);
  });
  return out;
}

nlohmann::ordered_json to_json(const Metrics& m) {
  nlohmann::ordered_json j;
  j["samples"] = m.samples;
  j["loss"] = m.loss;
  j["recon"] = m.recon;
  if (m.bce) j["bce_px"] = m.bce_px;
  j["mse_px"] = m.mse_px;
  if (m.scaled) j["mse_px_unscaled"] = m.mse_px_unscaled;
  j["mean_code"] = m.mean_code;
  j["dead_code_units"] = m.dead_code;
  if (m.variational) {
    j["neg_elbo"] = m.neg_elbo;
    j["kl"] = m.kl;
  }
  for (const auto& [name, v] : m.penalties)
    if (name != "kl") j[name] = v;
  return j;
}

std::string to_text(const Metrics& m) {
  std::ostringstream os;
  os.precision(6);
  os << "samples     " << m.samples << "\n"
     << "loss        " << m.loss << "   (per sample)\n"
     << "recon       " << m.recon << "   (" << (m.bce ? "BCE" : "1/2 sum of squares") << " per sample)\n";
  if (m.bce) os << "bce_px      " << m.bce_px << "\n";
  os << "mse_px      " << m.mse_px << (m.scaled ? "   (scaled, as the model sees the data)" : "") << "\n";
  if (m.scaled) os << "mse_px_unscaled " << m.mse_px_unscaled << "   (in the data's own units)\n";
  os << "mean_code   " << m.mean_code << "\n"
     << "dead_code   " << m.dead_code << "   (code units that are 0 on every sample)\n";
  if (m.variational) os << "kl          " << m.kl << "\nneg_elbo    " << m.neg_elbo << "\n";
  for (const auto& [name, v] : m.penalties)
    if (name != "kl") os << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') << v << "   (unweighted, per sample)\n";
  return os.str();
}

}  // namespace aeg::train
