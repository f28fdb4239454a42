// kernel_table.cpp again, for CPUs with AVX-512 (x86-64-v4). What is included
// before the pragma (the standard library, the types the two builds share)
// stays at the baseline, so that no copy of it that the linker may keep for
// every caller holds AVX-512 code; only the kernels included under the pragma,
// in namespace avx512, take it, and they are reached only through the table.
#define AEG_ISA avx512
#define AEG_ISA_AVX512 1  // engine/kernels/isa/isa_namespace.hpp

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "engine/kernels/adam_scalars.hpp"
#include "engine/kernels/isa/kernels.hpp"
#include "engine/kernels/conv_geom.hpp"
#include "engine/kernels/parallel.hpp"

#if defined(__clang__)  // clang takes no GCC target pragma: the same, as an attribute on every function
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl"))), apply_to = function)
#include "engine/kernels/isa/kernel_table.cpp"
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl")
#include "engine/kernels/isa/kernel_table.cpp"
#pragma GCC pop_options
#endif
