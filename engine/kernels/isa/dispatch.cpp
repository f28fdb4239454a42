// Chooses the kernels' build once per process. Compiled for plain x86-64
// (engine/CMakeLists.txt), so that the check below runs on any x86-64 CPU.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "engine/kernels/isa/kernels.hpp"

namespace aeg::detail {
namespace {

// The rest of the library is built for x86-64-v3: on an older CPU its first
// AVX2 instruction would kill the program with SIGILL and no word of why.
// Priority 101 runs this before any C++ static initialiser of the program.
__attribute__((constructor(101))) void require_x86_64_v3() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) return;
  std::fputs("aegraph: this CPU lacks AVX2, FMA or BMI2 (x86-64-v3), which this build of aegraph needs\n", stderr);
  std::abort();
}

const IsaKernels* choose() {
  const char* forced = std::getenv("AEGRAPH_ISA");
  if (!forced || !*forced) return cpu_has_avx512() ? &kernels_avx512 : &kernels_avx2;
  const std::string name = forced;
  if (name == "avx2") return &kernels_avx2;
  if (name == "avx512") {
    if (!cpu_has_avx512())
      throw std::runtime_error("AEGRAPH_ISA=avx512, but this CPU has no AVX-512 (F, CD, BW, DQ and VL)");
    return &kernels_avx512;
  }
  throw std::runtime_error("AEGRAPH_ISA=" + name + ": expected avx2 or avx512");
}

}  // namespace

bool cpu_has_avx512() {
  __builtin_cpu_init();  // libgcc's answers include the OS's support for the AVX-512 registers
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}

const IsaKernels& kernels() {
  static const IsaKernels* const chosen = choose();  // a throw leaves it unset: the next call tries again
  return *chosen;
}

std::string_view isa_name(Isa isa) { return isa == Isa::avx512 ? "avx512" : "avx2"; }

}  // namespace aeg::detail
