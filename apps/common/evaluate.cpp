#include "apps/common/evaluate.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "apps/common/batches.hpp"
#include "engine/executor.hpp"
#include "zoo/model.hpp"

namespace aeg::apps {

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
  Runner(const zoo::ModelSpec& spec, std::int64_t batch, ParamStore<float>& params, const EvalOptions& o)
      : model(zoo::build(spec, batch, {.separate_target = true, .jacobian_norm = o.jacobian})), plan(make_plan(*model)) {
    ex = std::make_unique<Executor<float>>(plan, params, ExecOptions{.threads = o.threads, .seed = o.seed});
  }
  static Plan make_plan(const zoo::Model& m) {
    std::vector<Var> outs{m.loss, m.recon_loss, m.recon, m.code};
    for (const auto& p : m.penalties) outs.push_back(p.raw);
    return compile(m.graph, outs, {.grads = false});
  }
};

// Runs fn(runner, first, rows) over [0, n) in batches, the last one smaller if need be.
void in_batches(const zoo::ModelSpec& spec, ParamStore<float>& params, std::int64_t n, const EvalOptions& o,
                const float* x, const std::vector<std::int32_t>& labels,
                const std::function<void(Runner&, std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) throw std::invalid_argument("evaluate: no samples");
  if (spec.conditional && static_cast<std::int64_t>(labels.size()) < n)
    throw std::invalid_argument("a conditional model needs labels, and the data have none");
  Rng noise_rng(o.seed ^ 0x5eedULL);
  const zoo::TargetRange range = zoo::target_range(spec);
  const std::int64_t f = spec.features;
  over_batches<Runner>(
      n, o.batch, [&](std::int64_t rows) { return std::make_unique<Runner>(spec, rows, params, o); },
      [&](Runner& r, std::int64_t first, std::int64_t rows) {
        float* in = r.ex->input_data(r.model->x);
        std::memcpy(in, x + first * f, sizeof(float) * static_cast<std::size_t>(rows * f));
        zoo::corrupt(in, rows * f, o.noise.noise, o.noise.level, noise_rng, range.lo, range.hi);
        std::memcpy(r.ex->input_data(r.model->target), x + first * f,
                    sizeof(float) * static_cast<std::size_t>(rows * f));
        if (spec.conditional) one_hot(r.ex->input_data(r.model->label), labels, first, rows, spec.classes);
        r.ex->forward();
        fn(r, first, rows);
      });
}

}  // namespace

Metrics evaluate(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                 const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& o,
                 std::vector<float>* reconstructions) {
  Metrics m;
  m.bce = spec.loss == zoo::Loss::BCE;
  m.variational = spec.variational;
  const std::int64_t f = spec.features;
  m.scaled = !o.scaling.empty();
  if (m.scaled && static_cast<std::int64_t>(o.scaling.scale.size()) != f)
    throw std::invalid_argument("evaluate: a scaling of " + std::to_string(o.scaling.scale.size()) + " features for a model of " +
                                std::to_string(f));
  double sq = 0, sq_unscaled = 0, code_sum = 0;
  std::int64_t code_count = 0;
  std::vector<char> unit_alive(static_cast<std::size_t>(spec.code), 0);
  std::vector<double> pen;
  if (reconstructions) reconstructions->resize(static_cast<std::size_t>(n * f));
  in_batches(spec, params, n, o, x, labels, [&](Runner& r, std::int64_t first, std::int64_t rows) {
    const auto& md = *r.model;
    const double w = static_cast<double>(rows);
    m.loss += w * r.ex->scalar(md.loss);
    m.recon += w * r.ex->scalar(md.recon_loss);
    pen.resize(md.penalties.size());
    for (std::size_t k = 0; k < md.penalties.size(); ++k) pen[k] += w * r.ex->scalar(md.penalties[k].raw);
    const float* y = r.ex->value_data(md.recon);
    const float* t = x + first * f;
    for (std::int64_t i = 0; i < rows * f; ++i) {
      const double d = static_cast<double>(y[i]) - t[i];
      sq += d * d;
      // Inverting the scaling multiplies a difference by its feature's scale (the offsets cancel).
      if (m.scaled) {
        const double s = o.scaling.scale[static_cast<std::size_t>(i % f)];
        sq_unscaled += d * d * s * s;
      }
    }
    if (reconstructions) std::copy(y, y + rows * f, reconstructions->begin() + first * f);
    const float* c = r.ex->value_data(md.code);
    const std::int64_t cn = rows * spec.code;
    for (std::int64_t i = 0; i < cn; ++i) {
      code_sum += c[i];
      if (c[i] != 0) unit_alive[static_cast<std::size_t>(i % spec.code)] = 1;
    }
    code_count += cn;
    if (m.penalties.empty())
      for (const auto& p : md.penalties) m.penalties.emplace_back(p.name, 0.0);
  });
  const double N = static_cast<double>(n);
  m.samples = n;
  m.loss /= N;
  m.recon /= N;
  for (std::size_t k = 0; k < pen.size(); ++k) m.penalties[k].second = pen[k] / N;
  m.bce_px = m.bce ? m.recon / static_cast<double>(f) : 0;
  m.mse_px = sq / (N * static_cast<double>(f));
  m.mse_px_unscaled = sq_unscaled / (N * static_cast<double>(f));
  m.mean_code = code_count ? code_sum / static_cast<double>(code_count) : 0;
  m.dead_code = std::count(unit_alive.begin(), unit_alive.end(), 0);
  for (const auto& [name, v] : m.penalties)
    if (name == "kl") m.kl = v;
  if (m.variational) m.neg_elbo = m.recon + m.kl;
  return m;
}

std::vector<float> reconstruct(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                               const std::vector<std::int32_t>& labels, std::int64_t n, const EvalOptions& o) {
  std::vector<float> out(static_cast<std::size_t>(n * spec.features));
  in_batches(spec, params, n, o, x, labels, [&](Runner& r, std::int64_t first, std::int64_t rows) {
    const float* y = r.ex->value_data(r.model->recon);
    std::copy(y, y + rows * spec.features, out.begin() + first * spec.features);
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

}  // namespace aeg::apps
