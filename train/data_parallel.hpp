// Data-parallel training that gives the same bits on any number of ranks.
//
// The global batch is cut into a fixed number of equal blocks, a function of
// the batch size alone (block_layout). Each rank runs forward and backward on
// the blocks it owns (a contiguous run of them), one block at a time, and the
// blocks' gradients are added along one fixed binary tree over the blocks: a
// rank adds up the whole subtrees inside its run; then, as in a reduce-scatter,
// rank k receives every rank's partial sums for the k-th slice of the
// parameters (an all-to-all), finishes the tree on that slice, and the slices
// are gathered onto every rank (an all-gather). Which rank adds a value never
// changes how it is added, and each rank sends and receives about twice the
// gradient's size in all, as a ring all-reduce does.
// So the sum, and Adam's step after it, are the same bits for 1, 2, 3 or 4
// ranks (and any thread count), though not those of one process training the
// whole batch at once (ae-train without MPI), whose products sum over all rows.
//
// Random ops draw per block from a generator seeded by (seed, step, block),
// so a row's noise does not depend on which rank computes it.
//
// An epoch's last, smaller batch is cut into blocks of the same size, the last
// one smaller where they do not divide it (tail_layout), shared out by the
// same rule, so a rank may own none. Its blocks' gradients and losses are each
// weighted by the block's rows before the same tree and divided by the batch's
// rows after it; a batch of equal blocks (every full one) takes the plain mean
// of its blocks' as before.
//
// The KL sparsity penalty compares the whole batch's mean code with rho, which
// couples the batch's rows. A model built with BuildOptions::given_code_mean
// takes that mean as an input (its code_mean role; kl_sparsity(code, rho, mean)
// is the penalty linearised at it, whose gradient is the whole batch's): each
// step first runs every block's encoder alone (with the block's noise) for its
// code's per-unit sums, all-gathers them (blocks x units doubles) and adds them
// in block order on every rank, and feeds the mean to every block's graph.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/executor.hpp"
#include "io/batch_reader.hpp"
#include "train/model_def.hpp"
#include "zoo/model.hpp"

namespace aeg::train {

// What data-parallel training needs of the ranks: implemented over MPI by
// aegraph_mpi (train/mpi/), and for one process by solo_ranks().
class Ranks {
 public:
  virtual ~Ranks() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Every rank's `mine` (counts[r] values from rank r), concatenated in rank
  // order into `all`, on every rank.
  virtual void all_gather(std::span<const float> mine, std::span<float> all, const std::vector<int>& counts) = 0;
  virtual void all_gather(std::span<const double> mine, std::span<double> all, const std::vector<int>& counts) = 0;
  // send holds send_counts[r] values for each rank r in rank order; recv gets
  // recv_counts[r] values from each rank r, in rank order.
  virtual void all_to_all(std::span<const float> send, const std::vector<int>& send_counts, std::span<float> recv,
                          const std::vector<int>& recv_counts) = 0;
  virtual void barrier() = 0;
};
std::unique_ptr<Ranks> solo_ranks();

// A batch cut into `blocks` blocks of `rows` rows each, the last one of
// `last_rows` rows when that is not 0 (an epoch's last, smaller batch: see
// tail_layout).
struct BlockLayout {
  std::int64_t blocks = 1, rows = 0;
  std::int64_t last_rows = 0;
  // The blocks rank r of n owns: [first, last).
  std::int64_t first(int r, int n) const { return blocks * r / n; }
  std::int64_t last(int r, int n) const { return blocks * (r + 1) / n; }
  bool equal() const { return last_rows == 0; }
  std::int64_t batch() const { return equal() ? blocks * rows : (blocks - 1) * rows + last_rows; }
  std::int64_t rows_of(std::int64_t b) const { return b == blocks - 1 && !equal() ? last_rows : rows; }
  std::int64_t row(std::int64_t b) const { return std::min(b * rows, batch()); }  // block b's first row (b <= blocks)
};
// `blocks` given (> 0): it must divide the batch. Otherwise the first of 12, 8,
// 6, 4, 3, 2 that divides the batch into blocks of at least 64 rows, else 1.
BlockLayout block_layout(std::int64_t batch, std::int64_t blocks = 0);
// An epoch's last batch of `batch` rows (fewer than full.batch()): blocks of
// full.rows rows, the last one smaller where they do not divide it. A function
// of the two alone, never of the number of ranks.
BlockLayout tail_layout(const BlockLayout& full, std::int64_t batch);

// Why a model cannot be trained data-parallel, or "" if it can: an op that
// couples the rows of a batch (of the op vocabulary, kl_sparsity over the
// graph's own batch, or kl_sparsity_given_mean over anything but the model's
// code and code_mean; a hand-built model's own ops are taken to be per-row
// sums, as every other op is). Data-parallel training builds its models with
// data_parallel_build().
std::string data_parallel_obstacle(const zoo::Model& model);
inline zoo::BuildOptions data_parallel_build() { return {.given_code_mean = true}; }

// The seed of block `block`'s generator at step `step` (random ops draw per
// block from it; block = blocks: the generator left after the step).
std::uint64_t block_seed(std::uint64_t seed, std::int64_t step, std::int64_t block);

class DataParallel;
// The data-parallel side of a training run: null when `ranks` is null and
// `grad_blocks` 0 (one process training the whole batch at once). Throws
// std::invalid_argument for a model it cannot split, or more ranks than blocks.
// The model's graphs for it are to be built with data_parallel_build().
std::unique_ptr<DataParallel> make_data_parallel(Ranks* ranks, std::int64_t grad_blocks, std::int64_t batch,
                                                 std::uint64_t seed, const ModelDef& model);

// Where the time of the steps went on this rank (seconds, summed over steps).
struct StepTimes {
  double compute = 0;   // forward and backward of this rank's blocks, and its partial sums
  double idle = 0;      // waiting for the slowest rank (measured with a barrier when `measure_idle`)
  double exchange = 0;  // the all-gathers and the rest of the tree
  std::int64_t steps = 0;
  std::int64_t bytes = 0;  // gradient bytes this rank receives each step
  std::int64_t code_sum_bytes = 0;  // a KL sparsity model's: code sums this rank receives each (full) step
};

// The graph a block of `rows` rows runs through: an executor of the model built
// at that size, over the run's parameters.
struct BlockGraph {
  Executor<float>* ex;
  const zoo::Model* model;
};

class DataParallel {
 public:
  // `ranks` null: one process (solo_ranks()). The model is built at layout.rows rows.
  DataParallel(Ranks* ranks, BlockLayout layout, std::uint64_t seed);

  Ranks& ranks() { return ranks_; }
  const BlockLayout& layout() const { return full_.layout; }
  bool writes() const { return ranks_.rank() == 0; }  // the one rank that writes files and prints
  // The rows of each full global batch this rank reads: [first_row, first_row + rows).
  std::int64_t first_row() const { return full_.layout.row(full_.first); }
  std::int64_t rows() const { return full_.layout.row(full_.last) - first_row(); }
  // The layout of a global batch of `batch` rows: layout() for a full one,
  // tail_layout() for an epoch's last, smaller one.
  BlockLayout layout_of(std::int64_t batch) const;
  // The rows [first, first + count) of a global batch of `batch` rows that this
  // rank reads; count may be 0 (a tail of fewer blocks than ranks).
  std::pair<std::int64_t, std::int64_t> part(std::int64_t batch) const;

  // One step's gradient: `mine` holds this rank's part(batch) rows of a global
  // batch of `batch` rows (x, and y for a conditional model); `graph(rows)`
  // gives the graph for a block of `rows` rows (layout().rows, and a tail's
  // last block's). Leaves the whole batch's gradient (of its mean loss) in
  // every parameter's grad on every rank, and returns the batch's mean loss,
  // the same on every rank. Every rank calls it for every batch, also one
  // whose part is empty. Leaves graph(layout().rows)'s generator as a function
  // of the step alone. A model with a code_mean role gets the whole batch's
  // mean code fed there first (its encoder run once more per block, through a
  // plan of its own that this object keeps).
  double gradients(const std::function<BlockGraph(std::int64_t rows)>& graph, ParamStore<float>& params,
                   const io::Batch& mine, std::int64_t batch, std::int64_t step);
  // A full batch, through one graph built at layout().rows rows.
  double gradients(Executor<float>& ex, const zoo::Model& model, ParamStore<float>& params, const io::Batch& mine,
                   std::int64_t step);

  // The exchange alone, on the partial sums of the last gradients() (its
  // gradient values unchanged): for timing it against other reductions.
  void exchange_again();

  bool measure_idle = false;
  const StepTimes& times() const { return times_; }
  void reset_times() { times_ = {.bytes = times_.bytes}; }

 private:
  struct Node {
    std::int64_t lo, hi;
  };
  // One layout's share-out over the ranks: this rank's blocks and tree nodes,
  // every rank's nodes, and the exchange's counts (for count_ values).
  struct Plan {
    BlockLayout layout;
    std::int64_t first = 0, last = 0;  // this rank's blocks
    std::vector<Node> mine, all;       // tree nodes this rank sums, and every rank's in rank order
    std::vector<int> send_counts, recv_counts, loss_counts;
    std::int64_t depth = 0;            // levels of the tree
    std::int64_t received = 0;         // gradient values this rank receives
  };

  Plan make_plan(const BlockLayout& layout) const;
  void size_buffers(std::int64_t count);
  void exchange(const Plan& plan);  // the all-to-all of partial sums, the rest of the tree, the all-gather, into sum_
  // The whole batch's mean code into code_mean_: every block's code sums, gathered.
  void code_mean(const std::function<BlockGraph(std::int64_t rows)>& graph, ParamStore<float>& params,
                 const io::Batch& mine, const Plan& plan, std::int64_t step);
  Executor<float>& code_pass(const BlockGraph& g, ParamStore<float>& params);

  std::unique_ptr<Ranks> solo_;
  Ranks& ranks_;
  std::uint64_t seed_;
  std::int64_t count_ = -1;            // the number of gradient values
  Plan full_, tail_;                   // full batches', and the last tail's (tail_.layout.blocks 0: none yet)
  const Plan* last_plan_ = nullptr;    // the last gradients()'s
  std::vector<Node> open_;             // nodes of this step's stack (stack_), bottom first
  std::vector<std::int64_t> bounds_;   // rank k finishes the tree on values [bounds_[k], bounds_[k + 1])
  std::vector<int> slice_counts_;
  std::vector<float> stack_, partial_, send_, gathered_, sum_, slice_buf_, scratch_;
  std::vector<double> my_losses_;
  std::vector<double> losses_;
  // The encoder alone (its output the code), per block size: for code_mean().
  struct CodePass {
    const zoo::Model* model = nullptr;
    std::int64_t rows = 0;
    std::unique_ptr<Executor<float>> ex;
  };
  std::vector<CodePass> code_passes_;
  std::vector<double> my_sums_, sums_;
  std::vector<float> code_mean_;
  StepTimes times_;
};

}  // namespace aeg::train
