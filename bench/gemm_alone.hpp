// W2's 18 products (forward, dX and dW of its six dense layers at batch 256)
// through the engine's GEMM on `threads` workers: the ceiling W2's step can reach
// with this GEMM policy, measured in the same process as the step.
#pragma once
#include <cstdint>

namespace aeg::bench {

struct GemmAlone {
  double seconds = 0;  // the sum of each product's median time
  double gflops = 0;
  std::int64_t tiles = 0;  // over the 18 products
};

GemmAlone time_w2_products(int threads);

}  // namespace aeg::bench
