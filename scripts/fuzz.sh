#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (one per parser of untrusted bytes, listed in
# fuzz/targets.txt) with clang in ./build-fuzz, then for each target:
#   1. replays every input that once failed it (fuzz/regressions/<target>/) and every
#      seed (fuzz/corpus/<target>/), each alone;
#   2. fuzzes. By default (CI's stage) it tries the fixed number of inputs that
#      fuzz/targets.txt gives the target, from a fixed seed, starting from the seeds
#      alone on one thread: one commit always tries the same inputs and gets the same
#      verdict. With --seconds N it fuzzes N seconds from a seed taken from the clock
#      and the corpus that earlier such runs grew in build-fuzz/corpus/<target>/
#      (bench/fuzz_long.sh): open-ended, for finding what the fixed pass does not.
#   bash scripts/fuzz.sh [--seconds N] [--seed S] [TARGET...]
# An input that fails (crash, sanitizer report, leak, timeout, out of memory) is
# replayed alone, and fuzz/where.awk says where its fault lies:
#   - in our code: the script fails; the input stays in build-fuzz/findings/<target>/.
#     Save it in fuzz/regressions/<target>/ (CI replays it from then on) and fix the parser.
#   - inside libhdf5 (Debian 12's 1.10.8 crashes, hangs and leaks on corrupt files):
#     counted and listed in build-fuzz/fuzz-<target>.log, not fatal; fuzzing goes on
#     from the next seed with what is left of the inputs or the time.
#   - not failing alone (it needed state an earlier input left in libhdf5): counted apart, not fatal.
# Prints two lines per target: the replay, then the fuzzing (inputs, seed, corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=0 seed=
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -*) echo "fuzz.sh: unknown option $1 (expected --seconds N, --seed S, then target names)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ -z "$seed" ]; then
  seed=1
  [ "$seconds" -eq 0 ] || seed=$(date +%s)
fi
[ "$seed" -gt 0 ] || { echo "fuzz.sh: --seed must be a positive number (libFuzzer takes 0 as 'random')" >&2; exit 2; }
declare -A runs
while read -r name n _; do
  case $name in ''|'#'*) continue ;; esac
  runs[$name]=$n
done <fuzz/targets.txt
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(awk '/^[a-z]/ {print $1}' fuzz/targets.txt))
for t in "${targets[@]}"; do
  [ -n "${runs[$t]:-}" ] || { echo "fuzz.sh: unknown target '$t' (fuzz/targets.txt lists ${!runs[*]})" >&2; exit 2; }
done

bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD"
# -O1: the fuzzers need coverage, not speed, and the engine compiles in a minute
# instead of several. Only what the fuzzers link is built (engine, io, zoo).
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DAEGRAPH_FUZZ=ON -DAEGRAPH_TESTS=OFF -DAEGRAPH_NATIVE=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" >/dev/null
cmake --build build-fuzz --target fuzzers -j "$(nproc)"

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Without a symbolizer a report's frames are bare addresses: the sanitizer's own
# interceptors (linked into each target) then look like our code, and where.awk
# would call every fault inside libhdf5 ours.
symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
if [ ! -x "$symbolizer" ]; then
  echo "fuzz.sh: $symbolizer is missing (Debian's llvm-14, which scripts/setup.sh installs): reports could not be placed" >&2
  exit 2
fi
# A hang is a finding after 10 s; one allocation over 1 GiB reports its stack (where.awk can place it).
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)

# One scratch folder, the same path on every machine, for the files the targets
# write (fuzz/bytes_file.hpp), emptied before every process; one fuzz.sh at a time
# uses it. On tmpfs where there is one: its listing order is the order of creation,
# not a hash that differs from disk to disk (the importers list the folder).
scratch_root=/tmp
[ -d /dev/shm ] && scratch_root=/dev/shm
export AEGRAPH_FUZZ_SCRATCH=$scratch_root/aegraph-fuzz-scratch
exec 9>"$AEGRAPH_FUZZ_SCRATCH.lock"
flock 9
fresh_scratch() {
  rm -rf "$AEGRAPH_FUZZ_SCRATCH"
  mkdir -p "$AEGRAPH_FUZZ_SCRATCH"
}

# Each target runs as process 2 of a PID namespace of its own, without address
# randomisation, in the same environment whatever the caller's: libFuzzer's comparison
# tracing feeds the values our code compares back into its mutations, among them
# addresses (the environment lies on the stack, so a longer checkout path in PWD moves
# every stack address) and the process id (the importers' temporary files carry it), so
# otherwise a fixed seed would try other inputs from run to run. Where setarch or
# unshare is refused, the run says so and goes on without it.
fixed=(env -i PATH=/usr/bin:/bin ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS"
  ASAN_SYMBOLIZER_PATH="$symbolizer" UBSAN_SYMBOLIZER_PATH="$symbolizer" AEGRAPH_FUZZ_SCRATCH="$AEGRAPH_FUZZ_SCRATCH")
if setarch "$(uname -m)" -R true 2>/dev/null; then
  fixed+=(setarch "$(uname -m)" -R)
else
  echo "fuzz.sh: setarch -R is refused here: addresses stay randomised, and a run may try other inputs than the last"
fi
if unshare -pf --kill-child true 2>/dev/null; then
  fixed=(unshare -pf --kill-child sh -c '"$@"; exit $?' sh "${fixed[@]}")
else
  echo "fuzz.sh: unshare -p is refused here: process ids differ, and a run may try other inputs than the last"
fi

# And from one fixed folder, whatever the checkout's path: the target's binary, its
# seeds, its corpus and its findings are copied into $run and named relative to it. The
# binary that fuzzes is stripped of its debug information and build id, which name the
# checkout's path (two checkouts' binaries, the same code, reached other inputs); the
# one that replays an input alone keeps them, for the report's source lines.
run=$scratch_root/aegraph-fuzz-run

# judge INPUT REPORT: runs INPUT alone, the output in REPORT; prints clean, libhdf5 or ours.
judge() {
  local rc=0
  fresh_scratch
  [ "$1" -ef "$run/input" ] || cp "$1" "$run/input"
  (cd "$run" && "${fixed[@]}" ./fuzz-with-symbols "${limits[@]}" input || exit) >"$2" 2>&1 || rc=$?  # the subshell reports an abort into the report
  if [ "$rc" -eq 0 ]; then echo clean; else awk -f fuzz/where.awk "$2"; fi
}

status=0
for t in "${targets[@]}"; do
  exe=build-fuzz/fuzz/fuzz_$t findings=build-fuzz/findings/$t log=build-fuzz/fuzz-$t.log
  rm -rf "$findings" build-fuzz/replay/$t
  mkdir -p "$findings" build-fuzz/replay/$t
  : >"$log"
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/seeds" "$run/findings"
  cp "$exe" "$run/fuzz-with-symbols"
  objcopy --strip-debug --remove-section=.note.gnu.build-id "$exe" "$run/fuzz"
  cp fuzz/corpus/"$t"/* "$run/seeds/"

  # 1. Replay.
  saved=0 seeds=0 replay_hdf5=0 replay_ours=()
  for f in fuzz/regressions/$t/* fuzz/corpus/$t/*; do
    [ -f "$f" ] || continue
    case $f in fuzz/regressions/*) saved=$((saved + 1)) ;; *) seeds=$((seeds + 1)) ;; esac
    report=build-fuzz/replay/$t/$(basename "$f").log
    case $(judge "$f" "$report") in
      libhdf5) replay_hdf5=$((replay_hdf5 + 1)); echo "inside libhdf5 (replayed): $f: $(grep -m1 -oE '(ERROR|SUMMARY): .*' "$report")" >>"$log" ;;
      ours) replay_ours+=("$f") ;;
    esac
  done
  if [ ${#replay_ours[@]} -gt 0 ]; then
    status=1
    echo "$t: FINDING in our code replaying ${replay_ours[*]} (report: build-fuzz/replay/$t/$(basename "${replay_ours[0]}").log)"
    grep -m3 -E "ERROR|runtime error|SUMMARY" "build-fuzz/replay/$t/$(basename "${replay_ours[0]}").log" || true
    continue
  fi
  printf '%-14s replayed %d saved findings and %d seeds: none fails in our code; inside libhdf5: %d\n' \
    "$t" "$saved" "$seeds" "$replay_hdf5"

  # 2. Fuzz: one libFuzzer process after another, each from the next seed, until the
  # inputs (or the seconds) are spent; a process ends early only on a failing input.
  if [ "$seconds" -gt 0 ]; then
    work=build-fuzz/corpus/$t left=$seconds
  else
    work=build-fuzz/ci-corpus/$t left=${runs[$t]}
    rm -rf "$work"
  fi
  mkdir -p "$work"
  cp -r "$work/." "$run/corpus/"
  s=$seed executed=0 hdf5=0 norepro=0 processes=0 ours="" start=$SECONDS
  while [ "$left" -gt 0 ] && [ "$processes" -lt 500 ]; do
    processes=$((processes + 1))
    budget=(-runs="$left")
    [ "$seconds" -gt 0 ] && budget=(-max_total_time="$left")
    began=$SECONDS rc=0
    fresh_scratch
    (cd "$run" && "${fixed[@]}" ./fuzz corpus seeds -seed="$s" "${budget[@]}" -reload=0 -print_final_stats=1 "${limits[@]}" \
      -artifact_prefix=findings/ || exit) >"$log.last" 2>&1 || rc=$?
    cat "$log.last" >>"$log"
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.last" | tail -1)
    executed=$((executed + ${n:-0}))
    [ "$rc" -eq 0 ] && break
    input=$(sed -n 's/.*Test unit written to //p' "$log.last" | tail -1)
    if [ -z "$input" ] || [ ! -f "$run/$input" ]; then
      ours="libFuzzer stopped (exit $rc) without saving an input: see $log"
      break
    fi
    cp "$run/$input" "$findings/"
    input=$findings/$(basename "$input")
    case $(judge "$input" "$input.replay") in
      clean) norepro=$((norepro + 1)) ;;
      libhdf5) hdf5=$((hdf5 + 1)); echo "inside libhdf5: $input: $(grep -m1 -oE '(ERROR|SUMMARY): .*' "$input.replay")" >>"$log" ;;
      ours) ours="$input (replayed in $input.replay)"; break ;;
    esac
    if [ "$seconds" -gt 0 ]; then
      left=$((left - (SECONDS - began)))
    else
      left=$((left - (${n:-0} > 0 ? ${n:-0} : 1)))
    fi
    s=$((s + 1))
  done
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$run/corpus/." "$work/"
  if [ -n "$ours" ]; then
    status=1
    echo "$t: FINDING in our code: $ours"
    [ -f "${ours%% *}.replay" ] && { grep -m3 -E "ERROR|runtime error|SUMMARY" "${ours%% *}.replay" || true; }
    continue
  fi
  printf '%-14s %10s executions from seed %s in %d s, no finding in our code; inside libhdf5: %d; not failing alone: %d; corpus %s inputs\n' \
    "$t" "$executed" "$seed" "$((SECONDS - start))" "$hdf5" "$norepro" "$(find "$work" -type f | wc -l)"
done
exit $status
