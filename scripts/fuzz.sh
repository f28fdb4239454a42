#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang in ./build-fuzz and runs each
# for a fixed time from its seed corpus (fuzz/corpus/<target>/), one after the
# other. Any finding (crash, sanitizer report, leak, timeout, out of memory) stops
# the script with its input saved under build-fuzz/findings/<target>/; a finding
# becomes a regression test in tests/ and is fixed in the parser.
#   bash scripts/fuzz.sh [SECONDS_EACH] [TARGET...]     (default: 60 s, every target)
# Prints one line per target: its executions and the corpus it grew.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx idx_gzip csv spec conv_layers model_options dataset checkpoint)

bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD"
# -O1: the fuzzers need coverage, not speed, and the engine compiles in a minute
# instead of several. Only what the fuzzers link is built (engine, io, zoo).
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DAEGRAPH_FUZZ=ON -DAEGRAPH_TESTS=OFF -DAEGRAPH_NATIVE=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" >/dev/null
cmake --build build-fuzz --target fuzzers -j "$(nproc)"

# Leaks are findings here (the parsers are ours and instrumented); HDF5, TBB and zlib
# are not instrumented, but they free what they allocate when the file closes.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t findings=build-fuzz/findings/$t log=build-fuzz/fuzz-$t.log
  rm -rf "$findings"
  mkdir -p "$work" "$findings"
  # The grown corpus stays in build-fuzz (not the repository's seeds), and the next run starts from it.
  asan=$ASAN_OPTIONS
  # The HDF5 targets: libhdf5's own faults on corrupt files that no code of ours takes
  # part in (fuzz/hdf5.supp says which and why), and a size a corrupt file declares
  # reaching malloc inside libhdf5, which then gets NULL and reports an error, as it
  # does without ASan (C++ new in our code still reports out-of-memory).
  case $t in dataset|checkpoint) asan=$asan:suppressions=$PWD/fuzz/hdf5.supp:allocator_may_return_null=1 ;; esac
  if ASAN_OPTIONS=$asan build-fuzz/fuzz/fuzz_"$t" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -print_final_stats=1 \
      -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$findings/" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    printf '%-14s %10s executions in %s s, no finding; corpus %s inputs\n' "$t" "$execs" "$seconds" \
      "$(find "$work" -type f | wc -l)"
  else
    status=1
    echo "$t: FINDING (log: $log, input: $(ls "$findings" | head -1))"
    grep -m3 -E "ERROR|runtime error|SUMMARY" "$log" || tail -5 "$log"
  fi
done
exit $status
