#include "train/step_runner.hpp"

#include <algorithm>

#include "engine/rng.hpp"
#include "train/evaluate.hpp"

namespace aeg::train {

namespace {

std::unique_ptr<StepGraph> initialised(std::unique_ptr<zoo::Model> model, ParamStore<float>& params, const ExecOptions& exec,
                                       std::uint64_t init_seed) {
  Rng init_rng(init_seed);
  params.init_from(model->graph, init_rng);  // a resumed store already has every parameter
  return std::make_unique<StepGraph>(std::move(model), params, exec);
}

// The whole batch through one graph in this process; a last, smaller batch through
// a graph of its size, drawing from the same random stream.
class PlainStep final : public StepRunner {
 public:
  PlainStep(const ModelDef& def, ParamStore<float>& params, const StepSettings& s, std::uint64_t init_seed)
      : def_(def), params_(params), s_(s), full_(initialised(def.make(s.batch), params, s.exec, init_seed)) {}

  StepGraph& full() override { return *full_; }
  std::int64_t whole_rows(const io::Batch& batch, std::int64_t, std::int64_t) const override { return batch.rows; }
  bool trains(const io::Batch& batch) const override {
    return batch.rows == s_.batch || (!s_.drop_last && batch.rows < s_.batch);
  }

  double gradients(const io::Batch& batch, std::int64_t, std::int64_t, Adam<float>& opt) override {
    StepGraph* g = full_.get();
    if (batch.rows != s_.batch) {
      if (!tail_ || tail_->model->x.shape()[0] != batch.rows)
        tail_ = std::make_unique<StepGraph>(def_.make(batch.rows), params_, s_.exec);
      tail_->ex->rng() = full_->ex->rng();  // one random stream for the run, whichever graph draws from it
      g = tail_.get();
    }
    const zoo::Model& model = *g->model;
    Executor<float>& ex = *g->ex;
    ex.bind_input(model.x, batch.x);  // read in place: batch lives through the step
    if (def_.spec.conditional) one_hot(ex.input_data(model.label), batch.y, 0, batch.rows, def_.spec.classes);
    opt.zero_grad();
    ex.forward();
    const double loss = ex.scalar(model.loss);
    ex.backward();
    if (g != full_.get()) full_->ex->rng() = g->ex->rng();
    return loss;
  }

 private:
  const ModelDef& def_;
  ParamStore<float>& params_;
  StepSettings s_;
  std::unique_ptr<StepGraph> full_, tail_;
};

// Fixed blocks of the batch, summed in a fixed tree over this process's blocks and
// the ranks' (train/data_parallel.hpp); the last block of an epoch's last batch
// through a graph of its size.
class BlockStep final : public StepRunner {
 public:
  BlockStep(const ModelDef& def, ParamStore<float>& params, const StepSettings& s, DataParallel& parallel,
            std::uint64_t init_seed)
      : def_(def), params_(params), s_(s), parallel_(parallel),
        // A KL sparsity penalty taken at the whole batch's mean code, fed in.
        full_(initialised(def.make(parallel.layout().rows, data_parallel_build()), params, s.exec, init_seed)) {}

  StepGraph& full() override { return *full_; }
  std::int64_t whole_rows(const io::Batch&, std::int64_t k, std::int64_t size) const override {
    return std::min(s_.batch, size - k * s_.batch);
  }
  bool trains(const io::Batch&) const override { return true; }  // the reader drops what --drop-last drops

  double gradients(const io::Batch& batch, std::int64_t whole, std::int64_t step, Adam<float>&) override {
    const auto block_graph = [&](std::int64_t rows) -> BlockGraph {
      if (rows == full_->model->x.shape()[0]) return {full_->ex.get(), full_->model.get()};
      if (!tail_ || tail_->model->x.shape()[0] != rows)
        tail_ = std::make_unique<StepGraph>(def_.make(rows, data_parallel_build()), params_, s_.exec);
      return {tail_->ex.get(), tail_->model.get()};
    };
    return parallel_.gradients(block_graph, params_, batch, whole, step);  // the whole batch's, on every rank
  }

 private:
  const ModelDef& def_;
  ParamStore<float>& params_;
  StepSettings s_;
  DataParallel& parallel_;
  std::unique_ptr<StepGraph> full_, tail_;
};

}  // namespace

std::unique_ptr<StepRunner> make_step_runner(const ModelDef& def, ParamStore<float>& params, const StepSettings& s,
                                             DataParallel* parallel, std::uint64_t init_seed) {
  if (parallel) return std::make_unique<BlockStep>(def, params, s, *parallel, init_seed);
  return std::make_unique<PlainStep>(def, params, s, init_seed);
}

}  // namespace aeg::train
