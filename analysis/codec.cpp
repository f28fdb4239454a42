#include "analysis/codec.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>

#include "engine/executor.hpp"
#include "train/batches.hpp"
#include "train/evaluate.hpp"
#include "zoo/model.hpp"

namespace aeg::analysis {
namespace {

constexpr std::int64_t kBatch = 500;

void check_labels(const zoo::ModelSpec& spec, const std::vector<std::int32_t>& labels, std::int64_t n) {
  if (spec.conditional && static_cast<std::int64_t>(labels.size()) < n)
    throw std::invalid_argument("a conditional model needs one class label per sample");
}

// Runs `graph` over [0, n) in batches of at most kBatch rows; `feed` fills the
// inputs of one batch, `take` reads its output.
template <class Built, class Feed, class Take>
void batched(std::int64_t n, const std::function<std::unique_ptr<Built>(std::int64_t)>& make,
             const std::function<Var(const Built&)>& output, ParamStore<float>& params, int threads, Feed feed,
             Take take) {
  if (n <= 0) throw std::invalid_argument("no samples to run");
  struct Run {
    std::unique_ptr<Built> built;
    Plan plan;
    std::unique_ptr<Executor<float>> ex;
  };
  train::over_batches<Run>(
      n, kBatch,
      [&](std::int64_t rows) {
        auto r = std::make_unique<Run>();
        r->built = make(rows);
        r->plan = compile(r->built->graph, {output(*r->built)}, {.grads = false});
        r->ex = std::make_unique<Executor<float>>(r->plan, params, ExecOptions{.threads = threads});
        return r;
      },
      [&](Run& r, std::int64_t first, std::int64_t rows) {
        feed(*r.built, *r.ex, first, rows);
        r.ex->forward();
        take(r.ex->value_data(output(*r.built)), first, rows);
      });
}

}  // namespace

Tensor<float> encode(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                     const std::vector<std::int32_t>& labels, std::int64_t n, int threads) {
  check_labels(spec, labels, n);
  Tensor<float> codes({n, spec.code});
  const std::int64_t f = spec.features, k = spec.code;
  batched<zoo::Model>(
      n, [&](std::int64_t rows) { return zoo::build(spec, rows); },
      [](const zoo::Model& m) { return m.spec.variational ? m.mu : m.code; }, params, threads,
      [&](const zoo::Model& m, Executor<float>& ex, std::int64_t first, std::int64_t rows) {
        std::memcpy(ex.input_data(m.x), x + first * f, sizeof(float) * static_cast<std::size_t>(rows * f));
        if (spec.conditional) train::one_hot(ex.input_data(m.label), labels, first, rows, spec.classes);
      },
      [&](const float* out, std::int64_t first, std::int64_t rows) {
        std::copy(out, out + rows * k, codes.ptr() + first * k);
      });
  return codes;
}

Tensor<float> decode(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* z,
                     const std::vector<std::int32_t>& labels, std::int64_t n, int threads) {
  check_labels(spec, labels, n);
  Tensor<float> images({n, spec.features});
  const std::int64_t f = spec.features, k = spec.code;
  batched<zoo::Decoder>(
      n, [&](std::int64_t rows) { return zoo::build_decoder(spec, rows); },
      [](const zoo::Decoder& d) { return d.recon; }, params, threads,
      [&](const zoo::Decoder& d, Executor<float>& ex, std::int64_t first, std::int64_t rows) {
        std::memcpy(ex.input_data(d.z), z + first * k, sizeof(float) * static_cast<std::size_t>(rows * k));
        if (spec.conditional) train::one_hot(ex.input_data(d.label), labels, first, rows, spec.classes);
      },
      [&](const float* out, std::int64_t first, std::int64_t rows) {
        std::copy(out, out + rows * f, images.ptr() + first * f);
      });
  return images;
}

}  // namespace aeg::analysis
