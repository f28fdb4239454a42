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
std::uint64_t block_seed(std::uint64_t seed, std::int64_t step, std::int64_t block) {
  return mix(mix(mix(seed) ^ static_cast<std::uint64_t>(step)) ^ static_cast<std::uint64_t>(block));
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

std::string data_parallel_obstacle(const Graph& graph) {
  for (int i = 0; i < graph.size(); ++i) {
    const Node& n = graph.node(i);
    if (n.kind == NodeKind::Op && n.op->name() == "kl_sparsity")
      return "the KL sparsity penalty (--kl-beta, node '" + n.name +
             "') compares the batch's mean code activation with --kl-rho, which couples the rows of a batch, so it "
             "cannot be summed over blocks of it: train this model in one process (without mpirun and --grad-blocks)";
  }
  return {};
}

std::unique_ptr<DataParallel> make_data_parallel(Ranks* ranks, std::int64_t grad_blocks, std::int64_t batch,
                                                 std::uint64_t seed, const ModelDef& model) {
  if (!ranks && grad_blocks == 0) return nullptr;
  const BlockLayout layout = block_layout(batch, grad_blocks);
  if (const std::string why = data_parallel_obstacle(model.make(layout.rows)->graph); !why.empty())
    throw std::invalid_argument("data-parallel training: " + why);
  if (ranks && layout.blocks < ranks->size())
    throw std::invalid_argument("data-parallel training: --batch " + std::to_string(batch) + " is cut into " +
                                std::to_string(layout.blocks) + " blocks of " + std::to_string(layout.rows) +
                                " rows, fewer than the " + std::to_string(ranks->size()) +
                                " ranks (use a larger --batch, or --grad-blocks)");
  return std::make_unique<DataParallel>(ranks, layout, seed);
}

DataParallel::DataParallel(Ranks* ranks, BlockLayout layout, std::uint64_t seed)
    : solo_(ranks ? nullptr : solo_ranks()), ranks_(ranks ? *ranks : *solo_), layout_(layout), seed_(seed) {
  const int r = ranks_.rank(), n = ranks_.size();
  first_ = layout.first(r, n);
  last_ = layout.last(r, n);
  cover(0, layout.blocks, first_, last_, mine_);
  for (int k = 0; k < n; ++k) cover(0, layout.blocks, layout.first(k, n), layout.last(k, n), all_);
}

void DataParallel::size_buffers(std::int64_t count) {
  count_ = count;
  const int n = ranks_.size(), me = ranks_.rank();
  bounds_.clear();
  for (int k = 0; k <= n; ++k) bounds_.push_back(count * k / n);
  const std::int64_t my_slice = bounds_[me + 1] - bounds_[me];
  send_counts_.clear();
  recv_counts_.clear();
  slice_counts_.clear();
  std::int64_t received = 0;
  for (int k = 0; k < n; ++k) {
    std::vector<Node> theirs;
    cover(0, layout_.blocks, layout_.first(k, n), layout_.last(k, n), theirs);
    const std::int64_t slice = bounds_[k + 1] - bounds_[k];
    send_counts_.push_back(static_cast<int>(static_cast<std::int64_t>(mine_.size()) * slice));
    recv_counts_.push_back(static_cast<int>(static_cast<std::int64_t>(theirs.size()) * my_slice));
    slice_counts_.push_back(static_cast<int>(slice));
    if (k != me) received += static_cast<std::int64_t>(theirs.size()) * my_slice + slice;
  }
  if (static_cast<std::int64_t>(std::max(mine_.size(), all_.size())) * count_ > std::numeric_limits<int>::max())
    throw std::invalid_argument("data-parallel training: " + std::to_string(all_.size()) + " partial sums of " +
                                std::to_string(count_) + " parameters are too many values for one exchange");
  std::int64_t depth = 0;
  for (std::int64_t w = layout_.blocks; w > 1; w = (w + 1) / 2) ++depth;
  stack_.resize(static_cast<std::size_t>((depth + 2) * count_));
  partial_.resize(static_cast<std::size_t>(static_cast<std::int64_t>(mine_.size()) * count_));
  send_.resize(partial_.size());
  gathered_.resize(static_cast<std::size_t>(static_cast<std::int64_t>(all_.size()) * my_slice));
  sum_.resize(static_cast<std::size_t>(count_));
  scratch_.resize(static_cast<std::size_t>((depth + 1) * count_));
  losses_.resize(static_cast<std::size_t>(layout_.blocks));
  loss_counts_.clear();
  for (int k = 0; k < n; ++k) loss_counts_.push_back(static_cast<int>(layout_.last(k, n) - layout_.first(k, n)));
  times_.bytes = received * static_cast<std::int64_t>(sizeof(float));
}

double DataParallel::gradients(Executor<float>& ex, const zoo::Model& model, ParamStore<float>& params,
                               const io::Batch& mine, std::int64_t step) {
  const auto t0 = std::chrono::steady_clock::now();
  if (params.count() != count_) size_buffers(params.count());
  const std::int64_t f = model.spec.features, rows = layout_.rows;
  if (mine.rows != this->rows())
    throw std::logic_error("data-parallel step: " + std::to_string(mine.rows) + " rows read, expected " +
                           std::to_string(this->rows()));
  my_losses_.resize(static_cast<std::size_t>(last_ - first_));
  // Each block's gradient goes onto a stack of tree nodes; two neighbours that
  // are the halves of a node are added (left + right, as tree_sum does), so at
  // most one buffer per level is held; a node of this rank's cover is done.
  std::vector<Node>& open = open_;
  open.clear();
  std::size_t done = 0;
  auto buffer = [&](std::size_t i) { return stack_.data() + static_cast<std::int64_t>(i) * count_; };
  for (std::int64_t b = first_; b < last_; ++b) {
    const std::int64_t k = b - first_;
    ex.bind_input(model.x, std::span<const float>(mine.x.data() + k * rows * f, static_cast<std::size_t>(rows * f)));
    if (model.spec.conditional) one_hot(ex.input_data(model.label), mine.y, k * rows, rows, model.spec.classes);
    ex.rng() = Rng(block_seed(seed_, step, b));
    params.zero_grad();
    ex.forward();
    my_losses_[static_cast<std::size_t>(k)] = ex.scalar(model.loss);
    ex.backward();
    float* leaf = buffer(open.size());
    for (std::size_t p = 0; p < params.size(); ++p) {
      const Tensor<float>& g = params[p].grad;
      std::memcpy(leaf, g.ptr(), sizeof(float) * static_cast<std::size_t>(g.size()));
      leaf += g.size();
    }
    open.push_back({b, b + 1});
    for (;;) {
      const std::size_t top = open.size() - 1;
      if (done < mine_.size() && open[top].lo == mine_[done].lo && open[top].hi == mine_[done].hi) {
        std::memcpy(partial_.data() + static_cast<std::int64_t>(done) * count_, buffer(top),
                    sizeof(float) * static_cast<std::size_t>(count_));
        open.pop_back();
        ++done;
        break;
      }
      if (top == 0 || !is_node(open[top - 1].lo, open[top].hi, layout_.blocks) ||
          middle(open[top - 1].lo, open[top].hi) != open[top].lo)
        break;
      float* left = buffer(top - 1);
      const float* right = buffer(top);
      for (std::int64_t i = 0; i < count_; ++i) left[i] += right[i];
      open[top - 1].hi = open[top].hi;
      open.pop_back();
    }
  }
  if (done != mine_.size()) throw std::logic_error("data-parallel gradient tree: a partial sum is missing");
  // The generator left as a function of the step alone, so that a checkpoint's
  // /rng_state is the same on any number of ranks.
  ex.rng() = Rng(block_seed(seed_, step, layout_.blocks));
  times_.compute += seconds_since(t0);

  if (measure_idle) {
    const auto t1 = std::chrono::steady_clock::now();
    ranks_.barrier();
    times_.idle += seconds_since(t1);
  }
  const auto t2 = std::chrono::steady_clock::now();
  exchange();
  ranks_.all_gather(my_losses_, losses_, loss_counts_);
  // Each block's gradient is that of its own mean loss; the batch's mean is
  // their mean (equal blocks).
  const float n = static_cast<float>(layout_.blocks);
  const float* s = sum_.data();
  for (std::size_t p = 0; p < params.size(); ++p) {
    Tensor<float>& g = params[p].grad;
    for (std::int64_t i = 0; i < g.size(); ++i) g.ptr()[i] = s[i] / n;
    s += g.size();
  }
  double loss = 0;
  for (double l : losses_) loss += l;
  times_.exchange += seconds_since(t2);
  times_.steps++;
  return loss / static_cast<double>(layout_.blocks);
}

void DataParallel::exchange() {
  const int n = ranks_.size(), me = ranks_.rank();
  // Rank k's share of each of this rank's partial sums, rank by rank.
  float* out = send_.data();
  for (int k = 0; k < n; ++k)
    for (std::size_t i = 0; i < mine_.size(); ++i) {
      const float* from = partial_.data() + static_cast<std::int64_t>(i) * count_ + bounds_[k];
      out = std::copy(from, from + (bounds_[k + 1] - bounds_[k]), out);
    }
  ranks_.all_to_all(send_, send_counts_, gathered_, recv_counts_);
  // gathered_ now holds every rank's partial sums (all_, in rank order) on this
  // rank's slice: finish the tree there, then gather the slices.
  const std::int64_t lo = bounds_[me], width = bounds_[me + 1] - lo;
  tree_sum(0, layout_.blocks, sum_.data() + lo, scratch_.data(), width, [&](std::int64_t a, std::int64_t b) -> const float* {
    for (std::size_t i = 0; i < all_.size(); ++i)
      if (all_[i].lo == a && all_[i].hi == b) return gathered_.data() + static_cast<std::int64_t>(i) * width;
    return nullptr;
  });
  slice_buf_.assign(sum_.begin() + lo, sum_.begin() + lo + width);
  ranks_.all_gather(slice_buf_, sum_, slice_counts_);
}

void DataParallel::exchange_again() {
  if (count_ < 0) throw std::logic_error("DataParallel::exchange_again before any gradients()");
  exchange();
}

}  // namespace aeg::train
