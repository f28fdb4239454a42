// Which kernels this process runs on its CPU, the engine's own and OpenBLAS's,
// and the environment variables that choose them. Both choices are made once,
// at the first Executor's construction (or the first call below).
//
// The engine's kernels. The library is built for x86-64-v3 (AVX2, FMA, BMI2:
// Intel since Haswell, AMD since Zen; on an older CPU it stops at start with a
// message). Its float kernels that gain from AVX-512 (im2col, col2im, the direct
// convolution, the 2x2 max-pool, Adam's update, and BCE and the sigmoid on
// libmvec) are built once more for it, which runs where the CPU has AVX-512 F,
// CD, BW, DQ and VL. AEGRAPH_ISA=avx2 or AEGRAPH_ISA=avx512 forces one build
// (avx512 on a CPU without it, or another name, is an error:
// std::runtime_error). Both builds give the same bits except in BCE with
// logits and the sigmoid (libmvec's 8-lane and 16-lane expf and log1pf round
// differently) and the direct convolution's weight gradient (its lane sums run
// in another order), so a model trained on an AVX-512 machine and on an AVX2
// one parts in its last bits; AEGRAPH_ISA=avx2, with the same OpenBLAS kernels
// (OPENBLAS_CORETYPE), gives the AVX2 machine's bits on either.
//
// OpenBLAS's kernels. OpenBLAS (a DYNAMIC_ARCH build, as Debian's) picks its
// kernels by CPU model when it loads, and 0.3.21 falls back to its SSE3 ones
// ("Prescott") on CPUs newer than it: 26 GFLOP/s on a Xeon core where its
// "Cooperlake" kernels run 129. Where that happened, the engine switches
// OpenBLAS to the best kernels the CPU runs (Cooperlake, SkylakeX or Haswell)
// through OpenBLAS's own entry points (gotoblas_dynamic_quit, then
// gotoblas_dynamic_init with OPENBLAS_CORETYPE set for that call only), in
// the process itself: no environment to set, no program run again. Naming
// OPENBLAS_CORETYPE yourself turns this off. Make no BLAS calls of your own
// from other threads while the first Executor is being constructed.
#pragma once
#include <string>
#include <string_view>

namespace aeg {

// "avx512" or "avx2": the build of the engine's kernels this process runs.
std::string_view kernel_isa();

// OpenBLAS's name for the kernels it runs: "Cooperlake", "SkylakeX", "Haswell", ...
std::string blas_core();

}  // namespace aeg
