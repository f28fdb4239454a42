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
// batch size (the full one and the last), each once.
void over_rows(const ModelDef& def, ParamStore<float>& params, const EvalOptions& o,
               const std::function<bool(Rows&)>& next, const std::function<void(Runner&, std::int64_t, const Rows&)>& fn) {
  const zoo::ModelSpec& spec = def.spec;
  Rng noise_rng(o.seed ^ 0x5eedULL);
  const zoo::TargetRange range = zoo::target_range(spec);
  const std::int64_t f = spec.features;
  std::unique_ptr<Runner> full, rest;
  std::int64_t full_rows = 0, rest_rows = 0;
  std::vector<std::int32_t> labels;
  Rows b;
  for (std::int64_t first = 0; next(b); first += b.rows) {
    if (!full) full_rows = b.rows;
    const bool is_full = b.rows == full_rows;
    std::unique_ptr<Runner>& r = is_full ? full : rest;
    if (!is_full && rest && rest_rows != b.rows) rest.reset();  // a third size: rebuild
    if (!r) {
      r = std::make_unique<Runner>(def, b.rows, params, o);
      if (!is_full) rest_rows = b.rows;
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

  void add(Runner& r, const Rows& b) {
    const auto& md = *r.model;
    const std::int64_t f = spec_.features, rows = b.rows;
    const double w = static_cast<double>(rows);
    m_.loss += w * r.ex->scalar(md.loss);
    m_.recon += w * r.ex->scalar(md.recon_loss);
    pen_.resize(md.penalties.size());
    for (std::size_t k = 0; k < md.penalties.size(); ++k) pen_[k] += w * r.ex->scalar(md.penalties[k].raw);
    const float* y = r.ex->value_data(md.recon);
    for (std::int64_t i = 0; i < rows * f; ++i) {
      const double d = static_cast<double>(y[i]) - b.x[i];
      sq_ += d * d;
      // Inverting the scaling multiplies a difference by its feature's scale (the offsets cancel).
      if (m_.scaled) {
        const double s = o_.scaling.scale[static_cast<std::size_t>(i % f)];
        sq_unscaled_ += d * d * s * s;
      }
    }
    const float* c = r.ex->value_data(md.code);
    const std::int64_t cn = rows * spec_.code;
    for (std::int64_t i = 0; i < cn; ++i) {
      code_sum_ += c[i];
      if (c[i] != 0) alive_[static_cast<std::size_t>(i % spec_.code)] = 1;
    }
    code_count_ += cn;
    if (m_.penalties.empty())
      for (const auto& p : md.penalties) m_.penalties.emplace_back(p.name, 0.0);
    n_ += rows;
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
