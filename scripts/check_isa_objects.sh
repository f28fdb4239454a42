#!/usr/bin/env bash
# Checks the AVX-512 build of the engine's kernels inside libaegraph_engine.a:
# it holds AVX-512 code (and the kernels' AVX-512 branches), and none of it in a copy of an inline function or
# template outside namespace avx512. The linker keeps one copy of each such
# function for every caller in the program; an AVX-512 copy kept for the
# x86-64-v3 code would fault on CPUs without AVX-512 (engine/kernels/isa/isa_namespace.hpp).
#   bash scripts/check_isa_objects.sh build/engine/libaegraph_engine.a
set -euo pipefail
lib=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
avx512='zmm|%k[0-7]|mm(1[6-9]|2[0-9]|3[01])'  # registers only AVX-512 has
status=0
for member in kernel_table_avx512.cpp.o mvec_kernels_avx512.cpp.o; do
  (cd "$tmp" && ar x "$lib" "$member")
  obj=$tmp/$member
  objdump -d "$obj" >"$obj.s"
  if ! grep -Eq "$avx512" "$obj.s"; then
    echo "$member: no AVX-512 code (did the target pragma take effect?)"
    status=1
  fi
  # The register kernels of im2col_s2.hpp split rows by two-register permutes:
  # there only if the kernels' AVX-512 branches were compiled (AEG_ISA_AVX512).
  if [ "$member" = kernel_table_avx512.cpp.o ] && ! grep -Eq 'vperm[it]2ps' "$obj.s"; then
    echo "$member: the kernels' AVX-512 branches are missing"
    status=1
  fi
  # Weak definitions (inline functions, template instances) outside namespace avx512.
  for sym in $(nm "$obj" | awk '$2 ~ /^[WVu]$/ {print $3}' | grep -v '6avx512' || true); do
    objdump -d --disassemble="$sym" "$obj" >"$obj.sym.s"
    if grep -Eq "$avx512" "$obj.sym.s"; then
      echo "$member: $(echo "$sym" | c++filt) holds AVX-512 code outside namespace avx512"
      status=1
    fi
  done
done
[ $status = 0 ] && echo "AVX-512 objects: AVX-512 code only in namespace avx512"
exit $status
