// One training step's gradients and loss, behind one interface for every way a
// run can take it: the plain step on the whole batch in this process, or the
// data-parallel one over fixed blocks of it (train/data_parallel.hpp), in one
// process (--grad-blocks) or over MPI ranks. train::fit's loop reads the batch,
// asks for the gradients, checks the loss and steps the optimizer. Private to train/.
#pragma once
#include <cstdint>
#include <memory>

#include "engine/executor.hpp"
#include "engine/optim.hpp"
#include "engine/param_store.hpp"
#include "io/batch_reader.hpp"
#include "train/data_parallel.hpp"
#include "train/model_def.hpp"

namespace aeg::train {

// One training graph at one batch size, run by its own executor over the shared parameters.
struct StepGraph {
  std::unique_ptr<zoo::Model> model;
  std::unique_ptr<Executor<float>> ex;
  StepGraph(std::unique_ptr<zoo::Model> m, ParamStore<float>& params, const ExecOptions& o)
      : model(std::move(m)), ex(std::make_unique<Executor<float>>(compile(model->graph, {model->loss}), params, o)) {}
};

class StepRunner {
 public:
  virtual ~StepRunner() = default;
  // The graph of a full batch: its executor's generator is the run's random stream,
  // saved in every checkpoint.
  virtual StepGraph& full() = 0;
  // The rows of the whole batch number k of an epoch of `size` rows, of which `batch`
  // holds what this process reads (all of them, or this rank's part).
  virtual std::int64_t whole_rows(const io::Batch& batch, std::int64_t k, std::int64_t size) const = 0;
  // False for a batch the run does not train (a last, smaller one dropped).
  virtual bool trains(const io::Batch& batch) const = 0;
  // The batch's gradients into the parameters' gradients (zeroed first, by `opt` in
  // the plain step) and its loss, the mean over the whole batch's rows.
  virtual double gradients(const io::Batch& batch, std::int64_t whole, std::int64_t step, Adam<float>& opt) = 0;
};

struct StepSettings {
  std::int64_t batch;  // rows of a full batch
  bool drop_last;
  ExecOptions exec;
};

// The plain step, or the data-parallel one when `parallel` is not null. The full
// batch's graph is built at once (its parameters initialised into `params` unless
// there); a last, smaller batch's when first met.
std::unique_ptr<StepRunner> make_step_runner(const ModelDef& def, ParamStore<float>& params, const StepSettings& s,
                                             DataParallel* parallel, std::uint64_t init_seed);

}  // namespace aeg::train
