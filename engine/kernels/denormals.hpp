// Flush-to-zero for the engine's arithmetic. Sigmoid outputs of saturated pixels give
// BCE gradients around 1e-39, below float's normal range; x86 then takes a slow
// microcode path for every operation on them (measured: conv training ran 2x faster
// with them flushed, same losses). Like TensorFlow's ScopedFlushDenormal, the mode
// is set for the engine's own work and restored after: on the calling thread for a
// whole forward, backward or optimizer step, and on every worker for each chunk, so
// every thread computes the same way and results stay independent of the thread count.
#pragma once

#if defined(__SSE2__) || defined(__x86_64__)
#include <xmmintrin.h>

namespace aeg::detail {

class FlushDenormals {
 public:
  // FTZ (bit 15): denormal results become 0; DAZ (bit 6): denormal inputs read as 0.
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_;
};

}  // namespace aeg::detail

#else

namespace aeg::detail {
struct FlushDenormals {};  // other targets keep their default mode
}  // namespace aeg::detail

#endif
