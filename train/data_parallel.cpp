#include "train/data_parallel.hpp"

#include <chrono>
#include <cstring>
#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>

#include "train/evaluate.hpp"

namespace aeg::train {

namespace {

class Solo final : public Ranks {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void all_gather(std::span<const float> mine, std::span<float> all, const std::vector<int>&) override {
    std::memcpy(all.data(), mine.data(), mine.size_bytes());
  }
  void all_gather(std::span<const double> mine, std::span<double> all, const std::vector<int>&) override {
    std::memcpy(all.data(), mine.data(), mine.size_bytes());
  }
  void all_to_all(std::span<const float> send, const std::vector<int>&, std::span<float> recv,
                  const std::vector<int>&) override {
    std::memcpy(recv.data(), send.data(), send.size_bytes());
  }
  void barrier() override {}
};

// splitmix64: a block's seed from (seed, step, block), well mixed so that
// neighbouring steps and blocks get unrelated streams.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
std::int64_t middle(std::int64_t lo, std::int64_t hi) { return lo + (hi - lo) / 2; }

// The nodes of the block tree that exactly cover [a, b), left to right.
template <class Node>
void cover(std::int64_t lo, std::int64_t hi, std::int64_t a, std::int64_t b, std::vector<Node>& out) {
  if (b <= lo || hi <= a) return;
  if (a <= lo && hi <= b) {
    out.push_back({lo, hi});
    return;
  }
  cover(lo, middle(lo, hi), a, b, out);
  cover(middle(lo, hi), hi, a, b, out);
}

// The tree's sum over [lo, hi) into out: a node `known` gives is taken as it
// is; any other is its left half plus its right half. scratch holds one buffer
// of n values per level below.
void tree_sum(std::int64_t lo, std::int64_t hi, float* out, float* scratch, std::int64_t n,
              const std::function<const float*(std::int64_t, std::int64_t)>& known) {
  if (const float* v = known(lo, hi)) {
    std::memcpy(out, v, sizeof(float) * static_cast<std::size_t>(n));
    return;
  }
  if (hi - lo < 2) throw std::logic_error("data-parallel gradient tree: block " + std::to_string(lo) + " is missing");
  tree_sum(lo, middle(lo, hi), out, scratch + n, n, known);
  tree_sum(middle(lo, hi), hi, scratch, scratch + n, n, known);
  for (std::int64_t i = 0; i < n; ++i) out[i] += scratch[i];
}

// Whether [lo, hi) is a node of the tree over [0, n).
bool is_node(std::int64_t lo, std::int64_t hi, std::int64_t n) {
  std::int64_t a = 0, b = n;
  while (a != lo || b != hi) {
    if (b - a < 2) return false;
    const std::int64_t m = middle(a, b);
    if (hi <= m) b = m;
    else if (lo >= m) a = m;
    else return false;
  }
  return true;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::unique_ptr<Ranks> solo_ranks() { return std::make_unique<Solo>(); }

std::uint64_t block_seed(std::uint64_t seed, std::int64_t step, std::int64_t block) {
  return mix(mix(mix(seed) ^ static_cast<std::uint64_t>(step)) ^ static_cast<std::uint64_t>(block));
}

BlockLayout block_layout(std::int64_t batch, std::int64_t blocks) {
  if (batch < 1) throw std::invalid_argument("--batch must be at least 1");
  if (blocks > 0) {
    if (batch % blocks != 0)
      throw std::invalid_argument("--grad-blocks " + std::to_string(blocks) + " does not divide --batch " +
                                  std::to_string(batch) + " into equal blocks");
    return {blocks, batch / blocks};
  }
  for (std::int64_t n : {12, 8, 6, 4, 3, 2})
    if (batch % n == 0 && batch / n >= 64) return {n, batch / n};
  return {1, batch};
}

BlockLayout tail_layout(const BlockLayout& full, std::int64_t batch) {
  if (batch < 1 || batch >= full.batch())
    throw std::logic_error("data-parallel: a last batch of " + std::to_string(batch) + " rows, expected 1.." +
                           std::to_string(full.batch() - 1));
  return {(batch + full.rows - 1) / full.rows, full.rows, batch % full.rows};
}

std::string data_parallel_obstacle(const zoo::Model& model) {
  const Graph& graph = model.graph;
  for (int i = 0; i < graph.size(); ++i) {
    const Node& n = graph.node(i);
    if (n.kind != NodeKind::Op) continue;
    const RowCoupling coupling = n.op->row_coupling();
    if (coupling == RowCoupling::BatchStatistic)
      return "node '" + n.name + "' (" + std::string(n.op->name()) +
             ") takes a statistic of the whole batch, which couples the rows of a batch: a block of it can only "
             "take the whole batch's statistic as an input. The zoo builds its KL sparsity penalty (--kl-beta) so "
             "when asked (BuildOptions::given_code_mean); a hand-built model must do the same, kl_sparsity(code, "
             "rho, code_mean) with code_mean an input of the model's code_mean role, or train in one process "
             "(without mpirun and --grad-blocks)";
    if (coupling == RowCoupling::GivenBatchStatistic &&
        (!model.code_mean.valid() || !model.code.valid() || n.inputs.size() != 2 || n.inputs[0] != model.code.id ||
         n.inputs[1] != model.code_mean.id))
      return "the KL sparsity penalty at a given mean (node '" + n.name +
             "') is fed the whole batch's mean code only when it takes the model's code and its code_mean input "
             "(the model's roles code and code_mean)";
  }
  return {};
}

std::unique_ptr<DataParallel> make_data_parallel(Ranks* ranks, std::int64_t grad_blocks, std::int64_t batch,
                                                 std::uint64_t seed, const ModelDef& model) {
  if (!ranks && grad_blocks == 0) return nullptr;
  const BlockLayout layout = block_layout(batch, grad_blocks);
  if (const std::string why = data_parallel_obstacle(*model.make(layout.rows, data_parallel_build())); !why.empty())
    throw std::invalid_argument("data-parallel training: " + why);
  if (ranks && layout.blocks < ranks->size())
    throw std::invalid_argument("data-parallel training: --batch " + std::to_string(batch) + " is cut into " +
                                std::to_string(layout.blocks) + " blocks of " + std::to_string(layout.rows) +
                                " rows, fewer than the " + std::to_string(ranks->size()) +
                                " ranks (use a larger --batch, or --grad-blocks)");
  return std::make_unique<DataParallel>(ranks, layout, seed);
}

DataParallel::DataParallel(Ranks* ranks, BlockLayout layout, std::uint64_t seed)
    : solo_(ranks ? nullptr : solo_ranks()), ranks_(ranks ? *ranks : *solo_), seed_(seed) {
  full_ = make_plan(layout);
}

BlockLayout DataParallel::layout_of(std::int64_t batch) const {
  return batch == full_.layout.batch() ? full_.layout : tail_layout(full_.layout, batch);
}

std::pair<std::int64_t, std::int64_t> DataParallel::part(std::int64_t batch) const {
  const BlockLayout l = layout_of(batch);
  const int r = ranks_.rank(), n = ranks_.size();
  const std::int64_t first = l.row(l.first(r, n));
  return {first, l.row(l.last(r, n)) - first};
}

DataParallel::Plan DataParallel::make_plan(const BlockLayout& layout) const {
  Plan p;
  p.layout = layout;
  const int n = ranks_.size(), me = ranks_.rank();
  p.first = layout.first(me, n);
  p.last = layout.last(me, n);
  cover(0, layout.blocks, p.first, p.last, p.mine);
  for (int k = 0; k < n; ++k) cover(0, layout.blocks, layout.first(k, n), layout.last(k, n), p.all);
  for (std::int64_t w = layout.blocks; w > 1; w = (w + 1) / 2) ++p.depth;
  for (int k = 0; k < n; ++k) p.loss_counts.push_back(static_cast<int>(layout.last(k, n) - layout.first(k, n)));
  if (bounds_.empty()) return p;  // the exchange's counts once the gradient's size is known
  const std::int64_t my_slice = bounds_[me + 1] - bounds_[me];
  for (int k = 0; k < n; ++k) {
    std::vector<Node> theirs;
    cover(0, layout.blocks, layout.first(k, n), layout.last(k, n), theirs);
    const std::int64_t slice = bounds_[k + 1] - bounds_[k];
    p.send_counts.push_back(static_cast<int>(static_cast<std::int64_t>(p.mine.size()) * slice));
    p.recv_counts.push_back(static_cast<int>(static_cast<std::int64_t>(theirs.size()) * my_slice));
    if (k != me) p.received += static_cast<std::int64_t>(theirs.size()) * my_slice + slice;
  }
  if (static_cast<std::int64_t>(std::max(p.mine.size(), p.all.size())) * count_ > std::numeric_limits<int>::max())
    throw std::invalid_argument("data-parallel training: " + std::to_string(p.all.size()) + " partial sums of " +
                                std::to_string(count_) + " parameters are too many values for one exchange");
  return p;
}

void DataParallel::size_buffers(std::int64_t count) {
  count_ = count;
  const int n = ranks_.size();
  bounds_.clear();
  for (int k = 0; k <= n; ++k) bounds_.push_back(count * k / n);
  slice_counts_.clear();
  for (int k = 0; k < n; ++k) slice_counts_.push_back(static_cast<int>(bounds_[k + 1] - bounds_[k]));
  full_ = make_plan(full_.layout);
  tail_ = Plan{};
  last_plan_ = nullptr;
  sum_.resize(static_cast<std::size_t>(count_));
  times_.bytes = full_.received * static_cast<std::int64_t>(sizeof(float));
}

double DataParallel::gradients(Executor<float>& ex, const zoo::Model& model, ParamStore<float>& params,
                               const io::Batch& mine, std::int64_t step) {
  const std::int64_t rows = full_.layout.rows;
  return gradients(
      [&](std::int64_t r) -> BlockGraph {
        if (r != rows)
          throw std::logic_error("data-parallel step: a block of " + std::to_string(r) + " rows, the graph has " +
                                 std::to_string(rows));
        return {&ex, &model};
      },
      params, mine, full_.layout.batch(), step);
}

double DataParallel::gradients(const std::function<BlockGraph(std::int64_t rows)>& graph, ParamStore<float>& params,
                               const io::Batch& mine, std::int64_t batch, std::int64_t step) {
  const auto t0 = std::chrono::steady_clock::now();
  if (params.count() != count_) size_buffers(params.count());
  if (batch != full_.layout.batch() && tail_.layout.batch() != batch) tail_ = make_plan(tail_layout(full_.layout, batch));
  const Plan& plan = batch == full_.layout.batch() ? full_ : tail_;
  last_plan_ = &plan;
  const BlockLayout& layout = plan.layout;
  const std::int64_t first_row = layout.row(plan.first);
  if (mine.rows != layout.row(plan.last) - first_row)
    throw std::logic_error("data-parallel step: " + std::to_string(mine.rows) + " rows read, expected " +
                           std::to_string(layout.row(plan.last) - first_row) + " of a batch of " + std::to_string(batch));
  const auto grow = [](auto& v, std::int64_t size) {
    if (static_cast<std::int64_t>(v.size()) < size) v.resize(static_cast<std::size_t>(size));
  };
  const int me = ranks_.rank();
  const std::int64_t width = bounds_[me + 1] - bounds_[me];
  grow(stack_, (plan.depth + 2) * count_);
  grow(scratch_, (plan.depth + 1) * count_);
  grow(partial_, static_cast<std::int64_t>(plan.mine.size()) * count_);
  grow(send_, static_cast<std::int64_t>(plan.mine.size()) * count_);
  grow(gathered_, static_cast<std::int64_t>(plan.all.size()) * width);
  my_losses_.resize(static_cast<std::size_t>(plan.last - plan.first));
  // Blocks of unequal rows (a tail's) are weighted by their rows: the batch's
  // mean is then the weighted sum over the batch's rows.
  const bool weighted = !layout.equal();
  // A KL sparsity penalty is taken at the whole batch's mean code; each block's
  // gradient is then (1 / its rows) KL'(mean) per row, and the mean over
  // blocks below (plain, or weighted by rows) (1 / batch rows) KL'(mean): the
  // whole batch's.
  const bool given_mean = graph(full_.layout.rows).model->code_mean.valid();
  if (given_mean) code_mean(graph, params, mine, plan, step);
  // Each block's gradient goes onto a stack of tree nodes; two neighbours that
  // are the halves of a node are added (left + right, as tree_sum does), so at
  // most one buffer per level is held; a node of this rank's cover is done.
  std::vector<Node>& open = open_;
  open.clear();
  std::size_t done = 0;
  auto buffer = [&](std::size_t i) { return stack_.data() + static_cast<std::int64_t>(i) * count_; };
  for (std::int64_t b = plan.first; b < plan.last; ++b) {
    const std::int64_t k = b - plan.first, rows = layout.rows_of(b), at = layout.row(b) - first_row;
    const BlockGraph g = graph(rows);
    Executor<float>& ex = *g.ex;
    const zoo::Model& model = *g.model;
    const std::int64_t f = model.spec.features;
    ex.bind_input(model.x, std::span<const float>(mine.x.data() + at * f, static_cast<std::size_t>(rows * f)));
    if (model.spec.conditional) one_hot(ex.input_data(model.label), mine.y, at, rows, model.spec.classes);
    if (given_mean) ex.bind_input(model.code_mean, code_mean_);
    ex.rng() = Rng(block_seed(seed_, step, b));
    params.zero_grad();
    ex.forward();
    my_losses_[static_cast<std::size_t>(k)] = ex.scalar(model.loss);
    ex.backward();
    float* leaf = buffer(open.size());
    const float w = static_cast<float>(rows);
    for (std::size_t p = 0; p < params.size(); ++p) {
      const Tensor<float>& t = params[p].grad;
      if (weighted)
        for (std::int64_t i = 0; i < t.size(); ++i) leaf[i] = t.ptr()[i] * w;
      else
        std::memcpy(leaf, t.ptr(), sizeof(float) * static_cast<std::size_t>(t.size()));
      leaf += t.size();
    }
    open.push_back({b, b + 1});
    for (;;) {
      const std::size_t top = open.size() - 1;
      if (done < plan.mine.size() && open[top].lo == plan.mine[done].lo && open[top].hi == plan.mine[done].hi) {
        std::memcpy(partial_.data() + static_cast<std::int64_t>(done) * count_, buffer(top),
                    sizeof(float) * static_cast<std::size_t>(count_));
        open.pop_back();
        ++done;
        break;
      }
      if (top == 0 || !is_node(open[top - 1].lo, open[top].hi, layout.blocks) ||
          middle(open[top - 1].lo, open[top].hi) != open[top].lo)
        break;
      float* left = buffer(top - 1);
      const float* right = buffer(top);
      for (std::int64_t i = 0; i < count_; ++i) left[i] += right[i];
      open[top - 1].hi = open[top].hi;
      open.pop_back();
    }
  }
  if (done != plan.mine.size()) throw std::logic_error("data-parallel gradient tree: a partial sum is missing");
  // The generator left as a function of the step alone (whatever the batch, and
  // whether this rank ran a block of it), so that a checkpoint's /rng_state is
  // the same on any number of ranks.
  graph(full_.layout.rows).ex->rng() = Rng(block_seed(seed_, step, full_.layout.blocks));
  times_.compute += seconds_since(t0);

  if (measure_idle) {
    const auto t1 = std::chrono::steady_clock::now();
    ranks_.barrier();
    times_.idle += seconds_since(t1);
  }
  const auto t2 = std::chrono::steady_clock::now();
  exchange(plan);
  losses_.resize(static_cast<std::size_t>(layout.blocks));
  ranks_.all_gather(my_losses_, losses_, plan.loss_counts);
  // Each block's gradient is that of its own mean loss. Equal blocks: the
  // batch's mean is their mean. Unequal: their sum weighted by rows (above),
  // over the batch's rows.
  const float n = static_cast<float>(weighted ? layout.batch() : layout.blocks);
  const float* s = sum_.data();
  for (std::size_t p = 0; p < params.size(); ++p) {
    Tensor<float>& g = params[p].grad;
    for (std::int64_t i = 0; i < g.size(); ++i) g.ptr()[i] = s[i] / n;
    s += g.size();
  }
  double loss = 0;
  for (std::int64_t b = 0; b < layout.blocks; ++b)
    loss += weighted ? losses_[static_cast<std::size_t>(b)] * static_cast<double>(layout.rows_of(b))
                     : losses_[static_cast<std::size_t>(b)];
  times_.exchange += seconds_since(t2);
  times_.steps++;
  return loss / static_cast<double>(weighted ? layout.batch() : layout.blocks);
}

Executor<float>& DataParallel::code_pass(const BlockGraph& g, ParamStore<float>& params) {
  const zoo::Model& model = *g.model;
  const std::int64_t rows = model.x.shape()[0];
  auto it = std::find_if(code_passes_.begin(), code_passes_.end(), [&](const CodePass& c) { return c.rows == rows; });
  if (it != code_passes_.end() && it->model == &model) return *it->ex;
  // The code's random ops (a denoising model's noise) must draw first in the
  // block's plan, so that the code plan draws the same numbers from the same seed.
  aeg::Plan plan = compile(model.graph, {model.code}, PlanOptions{.grads = false, .training = g.ex->plan().training()});
  const auto randoms = [](const aeg::Plan& p) {
    std::vector<int> ids;
    for (const int id : p.forward_order())
      if (p.graph().node(id).op->is_random()) ids.push_back(id);
    return ids;
  };
  const std::vector<int> mine = randoms(plan), all = randoms(g.ex->plan());
  if (mine.size() > all.size() || !std::equal(mine.begin(), mine.end(), all.begin()))
    throw std::invalid_argument("data-parallel training: the model's code depends on a random op that draws after "
                                "another one its code does not depend on, so the code's mean cannot be taken ahead "
                                "of the step with the same noise");
  if (it == code_passes_.end()) it = code_passes_.insert(code_passes_.end(), CodePass{});
  it->model = &model;
  it->rows = rows;
  it->ex = std::make_unique<Executor<float>>(std::move(plan), params, ExecOptions{.threads = g.ex->threads()});
  return *it->ex;
}

void DataParallel::code_mean(const std::function<BlockGraph(std::int64_t rows)>& graph, ParamStore<float>& params,
                             const io::Batch& mine, const Plan& plan, std::int64_t step) {
  const BlockLayout& layout = plan.layout;
  const std::int64_t units = numel(graph(full_.layout.rows).model->code_mean.shape());
  const std::int64_t first_row = layout.row(plan.first);
  my_sums_.assign(static_cast<std::size_t>((plan.last - plan.first) * units), 0.0);
  for (std::int64_t b = plan.first; b < plan.last; ++b) {
    const std::int64_t rows = layout.rows_of(b), at = layout.row(b) - first_row;
    const BlockGraph g = graph(rows);
    const zoo::Model& model = *g.model;
    Executor<float>& ex = code_pass(g, params);
    const std::int64_t f = model.spec.features;
    ex.bind_input(model.x, std::span<const float>(mine.x.data() + at * f, static_cast<std::size_t>(rows * f)));
    if (model.spec.conditional && ex.plan().live(model.label.id))
      one_hot(ex.input_data(model.label), mine.y, at, rows, model.spec.classes);
    ex.rng() = Rng(block_seed(seed_, step, b));  // the block's noise, as its step will draw it
    ex.forward();
    const float* code = ex.value_data(model.code);
    double* sum = my_sums_.data() + (b - plan.first) * units;
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t j = 0; j < units; ++j) sum[j] += static_cast<double>(code[r * units + j]);
  }
  // Every block's sums, in block order on every rank (a function of the batch
  // alone), added in block order.
  std::vector<int> counts;
  for (const int c : plan.loss_counts) counts.push_back(static_cast<int>(c * units));
  sums_.resize(static_cast<std::size_t>(layout.blocks * units));
  ranks_.all_gather(my_sums_, sums_, counts);
  code_mean_.resize(static_cast<std::size_t>(units));
  for (std::int64_t j = 0; j < units; ++j) {
    double t = 0;
    for (std::int64_t b = 0; b < layout.blocks; ++b) t += sums_[static_cast<std::size_t>(b * units + j)];
    code_mean_[static_cast<std::size_t>(j)] = static_cast<float>(t / static_cast<double>(layout.batch()));
  }
  if (&plan == &full_)
    times_.code_sum_bytes = (layout.blocks - (plan.last - plan.first)) * units * static_cast<std::int64_t>(sizeof(double));
}

void DataParallel::exchange(const Plan& plan) {
  const int n = ranks_.size(), me = ranks_.rank();
  const std::int64_t lo = bounds_[me], width = bounds_[me + 1] - lo;
  // Rank k's share of each of this rank's partial sums, rank by rank.
  float* out = send_.data();
  for (int k = 0; k < n; ++k)
    for (std::size_t i = 0; i < plan.mine.size(); ++i) {
      const float* from = partial_.data() + static_cast<std::int64_t>(i) * count_ + bounds_[k];
      out = std::copy(from, from + (bounds_[k + 1] - bounds_[k]), out);
    }
  ranks_.all_to_all(std::span<const float>(send_.data(), plan.mine.size() * static_cast<std::size_t>(count_)),
                    plan.send_counts,
                    std::span<float>(gathered_.data(), plan.all.size() * static_cast<std::size_t>(width)),
                    plan.recv_counts);
  // gathered_ now holds every rank's partial sums (plan.all, in rank order) on
  // this rank's slice: finish the tree there, then gather the slices.
  tree_sum(0, plan.layout.blocks, sum_.data() + lo, scratch_.data(), width, [&](std::int64_t a, std::int64_t b) -> const float* {
    for (std::size_t i = 0; i < plan.all.size(); ++i)
      if (plan.all[i].lo == a && plan.all[i].hi == b) return gathered_.data() + static_cast<std::int64_t>(i) * width;
    return nullptr;
  });
  slice_buf_.assign(sum_.begin() + lo, sum_.begin() + lo + width);
  ranks_.all_gather(slice_buf_, sum_, slice_counts_);
}

void DataParallel::exchange_again() {
  if (!last_plan_) throw std::logic_error("DataParallel::exchange_again before any gradients()");
  exchange(*last_plan_);
}

}  // namespace aeg::train
