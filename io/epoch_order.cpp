#include "io/epoch_order.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "engine/rng.hpp"

namespace aeg::io {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

template <class V>
void shuffle(V& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace

std::vector<std::int64_t> epoch_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  Rng rng(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(epoch))));
  shuffle(order, rng);
  return order;
}

std::vector<std::int64_t> window_order(std::int64_t n, std::int64_t block_rows, std::int64_t window_blocks,
                                       std::uint64_t seed, std::int64_t epoch, std::vector<std::int64_t>* blocks) {
  if (block_rows < 1 || window_blocks < 1) throw std::invalid_argument("window_order: block_rows and window_blocks must be >= 1");
  n = std::max<std::int64_t>(n, 0);
  const std::int64_t nb = (n + block_rows - 1) / block_rows;
  std::vector<std::int64_t> perm(static_cast<std::size_t>(nb));
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<std::int64_t>(i);
  // Streams of their own, apart from epoch_order's: one for the blocks, one per window.
  const std::uint64_t base = splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(epoch)) ^ 0x7A3C5E1F2B4D6981ull);
  Rng block_rng(base);
  shuffle(perm, block_rng);
  std::vector<std::int64_t> order;
  order.reserve(static_cast<std::size_t>(n));
  for (std::int64_t w = 0; w * window_blocks < nb; ++w) {
    const std::size_t first = order.size();
    for (std::int64_t i = w * window_blocks; i < std::min(nb, (w + 1) * window_blocks); ++i) {
      const std::int64_t b = perm[static_cast<std::size_t>(i)];
      for (std::int64_t r = b * block_rows; r < std::min(n, (b + 1) * block_rows); ++r) order.push_back(r);
    }
    Rng rng(splitmix64(base + static_cast<std::uint64_t>(w) + 1));
    std::vector<std::int64_t> window(order.begin() + static_cast<std::ptrdiff_t>(first), order.end());
    shuffle(window, rng);
    std::copy(window.begin(), window.end(), order.begin() + static_cast<std::ptrdiff_t>(first));
  }
  if (blocks) *blocks = std::move(perm);
  return order;
}

}  // namespace aeg::io
