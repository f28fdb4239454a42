#!/usr/bin/env bash
# The threaded tests (executor on 1-16 threads, GEMM tiles, conv blocks, the batch
# reader's prefetch) built with ThreadSanitizer in ./build-tsan, with the engine,
# io and zoo they run; any report fails the run.
#   bash scripts/tsan.sh [Catch2 test spec...]
# libtbb itself is not instrumented, so TSan cannot see the hand-off of a task from
# the thread that spawns it to the worker that runs it; tsan-tbb.supp says what is
# suppressed for that reason, and why nothing of ours is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD"
CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build build-tsan --target aegraph_thread_tests -j "$(nproc)"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-tbb.supp"
build-tsan/tests/aegraph_thread_tests "$@"
