// engine/kernels/mvec_kernels.cpp again, for CPUs with AVX-512: libmvec's 16-lane
// expf and log1pf (_ZGVeN16v_*) in place of its 8-lane AVX2 ones, which round
// differently. See kernel_table_avx512.cpp for why the includes come first.
#define AEG_ISA avx512
#define AEG_ISA_AVX512 1  // engine/kernels/isa/isa_namespace.hpp

#include <algorithm>
#include <cmath>
#include <cstdint>

#if defined(__clang__)  // clang takes no GCC target pragma: the same, as an attribute on every function
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl"))), apply_to = function)
#include "engine/kernels/mvec_kernels.cpp"
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl")
#include "engine/kernels/mvec_kernels.cpp"
#pragma GCC pop_options
#endif
