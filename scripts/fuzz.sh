#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang in ./build-fuzz and runs each
# for a fixed time from its seed corpus (fuzz/corpus/<target>/), one after the
# other. A finding in our code (crash, sanitizer report, leak, timeout, out of
# memory) fails the script, its input kept under build-fuzz/findings/<target>/;
# it becomes a regression test in tests/ and is fixed in the parser.
#   bash scripts/fuzz.sh [SECONDS_EACH] [TARGET...]     (default: 60 s, every target)
# Prints one line per target: its executions and the corpus it grew.
#
# The HDF5 targets (dataset, checkpoint) also reach faults inside libhdf5 itself
# (Debian 12's 1.10.8: over-reads, wild allocations, hangs and leaks on corrupt
# files). Those run in libFuzzer's fork mode, which records a finding and goes on;
# each finding is then replayed alone and fuzz/where.awk says where it lies: inside
# libhdf5 (counted, listed in build-fuzz/fuzz-TARGET.log, not fatal), or in our
# code (fatal). One that does not replay alone (it needed state an earlier input
# left in libhdf5) is counted apart, not fatal.
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

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# A hang is a finding after 10 s; one allocation over 1 GiB reports its stack (where.awk can place it).
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)
status=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t findings=build-fuzz/findings/$t log=build-fuzz/fuzz-$t.log
  rm -rf "$findings"
  mkdir -p "$work" "$findings"
  exe=build-fuzz/fuzz/fuzz_$t
  # The grown corpus stays in build-fuzz (not the repository's seeds), and the next run starts from it.
  case $t in
    dataset|checkpoint)
      "$exe" "$work" "fuzz/corpus/$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" "${limits[@]}" -artifact_prefix="$findings/" >"$log" 2>&1 || true
      execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1)
      hdf5=0 norepro=0 ours=()
      for f in "$findings"/*; do
        [ -e "$f" ] || continue
        ("$exe" "${limits[@]}" "$f" || true) >"$f.replay" 2>&1  # the subshell reports an abort into the replay
        if ! grep -qE "ERROR|runtime error" "$f.replay"; then
          norepro=$((norepro + 1))
        elif [ "$(awk -f fuzz/where.awk "$f.replay")" = libhdf5 ]; then
          hdf5=$((hdf5 + 1))
          echo "inside libhdf5: $f: $(grep -m1 -oE '(ERROR|SUMMARY): .*' "$f.replay")" >>"$log"
        else
          ours+=("$f")
        fi
      done
      if [ ${#ours[@]} -gt 0 ]; then
        status=1
        echo "$t: FINDING in our code: ${ours[*]} (replayed in ${ours[0]}.replay)"
        grep -m3 -E "ERROR|runtime error|SUMMARY" "${ours[0]}.replay" || true
      else
        printf '%-14s %10s executions in %s s, no finding in our code; inside libhdf5: %s; not replayable alone: %s; corpus %s inputs\n' \
          "$t" "${execs:-0}" "$seconds" "$hdf5" "$norepro" "$(find "$work" -type f | wc -l)"
      fi
      ;;
    *)
      if "$exe" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -print_final_stats=1 "${limits[@]}" \
          -artifact_prefix="$findings/" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        printf '%-14s %10s executions in %s s, no finding; corpus %s inputs\n' "$t" "$execs" "$seconds" \
          "$(find "$work" -type f | wc -l)"
      else
        status=1
        echo "$t: FINDING (log: $log, input: $(ls "$findings" | head -1))"
        grep -m3 -E "ERROR|runtime error|SUMMARY" "$log" || tail -5 "$log"
      fi
      ;;
  esac
done
exit $status
