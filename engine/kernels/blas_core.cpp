#include "engine/kernels/blas_core.hpp"

#include <cstdlib>
#include <mutex>

#include "engine/kernels/isa/kernels.hpp"

extern "C" {
char* openblas_get_corename(void);
// OpenBLAS's DYNAMIC_ARCH core selection (driver/others/dynamic.c), exported by
// Debian's libopenblas0 but in no header: quit forgets the core, init chooses
// one again, from OPENBLAS_CORETYPE when it is set, and sets up its blocking
// sizes. Weak, so that a link against an OpenBLAS built for one CPU still works.
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}

namespace aeg {

std::string_view kernel_isa() { return detail::isa_name(detail::kernels().isa); }

std::string blas_core() {
  detail::settle_kernels();
  const char* name = openblas_get_corename();
  return name ? name : "";
}

namespace detail {
namespace {

std::string current_core() {
  const char* name = openblas_get_corename();
  return name ? name : "";
}

}  // namespace

std::string blas_core_upgrade() {
  if (current_core() != "Prescott") return "";  // OpenBLAS 0.3.21's kernels for a CPU it does not know
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bf16")) return "Cooperlake";
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return "";
}

bool switch_blas_core(const std::string& core) {
  if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return false;
  const char* named = std::getenv("OPENBLAS_CORETYPE");
  const std::string before = named ? named : "", was = current_core();
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();  // an unknown name leaves OpenBLAS on Prescott: put the old core back
  const bool ok = current_core() == core;
  if (!ok) {
    setenv("OPENBLAS_CORETYPE", was.c_str(), 1);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
  }
  if (named)
    setenv("OPENBLAS_CORETYPE", before.c_str(), 1);
  else
    unsetenv("OPENBLAS_CORETYPE");
  return ok;
}

void settle_kernels() {
  kernels();  // a bad AEGRAPH_ISA is refused here, at the first Executor, not inside a product
  static std::once_flag blas_once;
  std::call_once(blas_once, [] {
    if (std::getenv("OPENBLAS_CORETYPE")) return;  // named by the user: theirs
    if (const std::string core = blas_core_upgrade(); !core.empty()) switch_blas_core(core);
  });
}

}  // namespace detail
}  // namespace aeg
