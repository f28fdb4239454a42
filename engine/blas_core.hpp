// Which OpenBLAS kernels run. OpenBLAS picks them by CPU model when it loads;
// Debian's 0.3.21 does not know newer Xeons (family 6 model 207, say) and falls
// back to its SSE3 kernels ("Prescott"): 26 GFLOP/s where its AVX-512 ones give
// 125 on the same core. Only the environment variable OPENBLAS_CORETYPE, read at
// load time, changes the choice.
#pragma once
#include <string>

namespace aeg {

// OpenBLAS's name for the kernels in use: "Cooperlake", "SkylakeX", "Prescott", ...
std::string blas_core();

// When OpenBLAS fell back to its generic kernels on a CPU that runs better ones,
// the OPENBLAS_CORETYPE to name ("Cooperlake", "SkylakeX" or "Haswell"); else "".
std::string blas_core_upgrade();

}  // namespace aeg
