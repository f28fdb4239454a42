// The builds of the engine's float kernels this CPU runs (engine/kernels/isa/kernels.hpp):
// the x86-64-v3 baseline's, and the AVX-512 one where the CPU has AVX-512.
#pragma once
#include <vector>

#include "engine/kernels/isa/kernels.hpp"

inline std::vector<const aeg::detail::IsaKernels*> runnable_isa_builds() {
  std::vector<const aeg::detail::IsaKernels*> builds{&aeg::detail::kernels_avx2};
  if (aeg::detail::cpu_has_avx512()) builds.push_back(&aeg::detail::kernels_avx512);
  return builds;
}
