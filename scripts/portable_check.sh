#!/usr/bin/env bash
# The engine's portable kernels, as CI runs them (engine/cpu.hpp): the tests
# that reach every kernel (convolutions, pools, activations, losses, the
# thread-bits trainings, the ISA checks) again with the AVX2 build forced, then
# the bench's workloads and the pooling recipes on an emulated CPU without AVX-512 (QEMU's Haswell),
# where one AVX-512 instruction outside the dispatched kernels would stop it
# (as the -march=native build of 2026-12-04's main stops, with SIGILL).
# Needs a built build/ (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
AEGRAPH_ISA=avx2 build/tests/aegraph_tests "[conv],[losses],[activations],[determinism],[isa]"
out=$(qemu-x86_64 -cpu Haswell build/bench/ae-bench --workloads W1,W2,W3,W4,W5 --threads 1 --warmup 0 \
  --min-steps 1 --min-time 0 2>&1 | grep -v "TCG doesn't support")
# and the recipes with the kernels W1-W4 miss: the 2x2 max-pool, the direct 16 -> 1 convolution
out+=$'\n'$(qemu-x86_64 -cpu Haswell build/bench/ae-bench --model conv-pool,conv-strided --batch 8 --threads 1 \
  --warmup 0 --min-steps 1 --min-time 0 2>&1 | grep -v "TCG doesn't support")
echo "$out"
grep -q "engine kernels: avx2" <<<"$out"
[ "$(grep -cE '^(W[1-5]|conv-pool|conv-strided) ' <<<"$out")" = 7 ]
echo "portable check: the AVX2 kernels pass the kernel tests and run every workload on a CPU without AVX-512"
