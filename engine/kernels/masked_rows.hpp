// Masked 16-float row access on AVX-512, shared by the register im2col and
// col2im kernels (im2col_s1.hpp, im2col_s2.hpp). Internal to engine/ops.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#if defined(AEG_ISA_AVX512)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace aeg::detail::inline AEG_ISA::simd {

// Lanes [lo, hi) of 16, clipped to [0, 16).
inline __mmask16 lanes(std::int64_t lo, std::int64_t hi) {
  lo = std::max<std::int64_t>(lo, 0);
  hi = std::min<std::int64_t>(hi, 16);
  return hi <= lo ? 0 : static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
}

// p[at .. at+16) on the lanes m (the others 0). Lanes before p are never in m,
// so for at < 0 the first lane of m takes p[0] (no address before p is formed).
inline __m512 window(const float* p, std::int64_t at, __mmask16 m) {
  return at >= 0 ? _mm512_maskz_loadu_ps(m, p + at) : _mm512_maskz_expandloadu_ps(m, p);
}

}  // namespace aeg::detail::inline AEG_ISA::simd
#endif
