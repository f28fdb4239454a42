// OpenBLAS's kernels, and the switch off its generic ones (engine/cpu.hpp says
// when and why). Internal to the engine.
#pragma once
#include <string>

#include "engine/cpu.hpp"

namespace aeg::detail {

// When OpenBLAS runs its generic kernels ("Prescott") on a CPU that runs
// better ones, the core to name ("Cooperlake", "SkylakeX" or "Haswell"); else "".
std::string blas_core_upgrade();

// Makes OpenBLAS run `core`'s kernels from now on, through its DYNAMIC_ARCH
// entry points; false (and nothing changed) where OpenBLAS has none or does
// not know the name. No BLAS call may be running meanwhile.
bool switch_blas_core(const std::string& core);

// Once per process, before the engine's first product: chooses the build of
// the engine's kernels (throwing for a bad AEGRAPH_ISA) and moves OpenBLAS off
// its generic kernels unless OPENBLAS_CORETYPE is set.
void settle_kernels();

}  // namespace aeg::detail
