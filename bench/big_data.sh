#!/usr/bin/env bash
# The batch reader on a training split twenty times Fashion-MNIST's (1.2 M rows, 552 MB on disk,
# 897 MiB decoded; ae-replicate): read alone, cold and warm, held in memory and streamed beyond a
# small budget; then one training epoch on it against twenty epochs of the 60,000-row file, in the
# same run. JSON lines on stdout; a summary at the end.
#   bash bench/big_data.sh          (THREADS=2 MODEL=shallow BUDGET=256M COPIES=20)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}; MODEL=${MODEL:-shallow}; BUDGET=${BUDGET:-256M}; COPIES=${COPIES:-20}
bash scripts/build.sh --target ae-import ae-train ae-bench ae-replicate >/dev/null
mkdir -p out
[ -f out/fashion-mnist.h5 ] || build/apps/ae-import --out out/fashion-mnist.h5
BIG=out/big$COPIES.h5
[ -f "$BIG" ] || build/bench/ae-replicate --data out/fashion-mnist.h5 --out "$BIG" --copies "$COPIES"

drop_cache() { sync; { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null && echo cold || echo "warm (cannot drop the page cache here)"; }
reader() {  # $1: label, then ae-bench options
  local label=$1; shift
  local state; state=$(drop_cache)
  build/bench/ae-bench --data "$BIG" --reader --json --workloads W5 --threads 1 --warmup 0 --min-steps 1 --min-time 0 "$@" |
    grep '"reader"' | sed "s/^{/{\"case\": \"$label\", \"cache\": \"$state\", /"
}
reader in-memory
reader streamed --data-memory "$BUDGET"

train() {  # $1: label, $2: data file, then ae-train options; prints the epochs' training time and the whole run's
  local label=$1 data=$2; shift 2
  local log; log=$(mktemp)
  local t0; t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$log.rss" build/apps/ae-train --data "$data" --model "$MODEL" --batch 256 --threads "$THREADS" \
    --test-limit 1000 --out "$(mktemp -d)/m.h5" "$@" 2>&1 | tr '\r' '\n' | grep ' 100% ' >"$log"
  # Each epoch's last progress line: rows and samples/s of that epoch.
  local wall; wall=$(python3 -c "print($(date +%s.%N) - $t0)")
  awk -v label="$label" -v rss="$(cat "$log.rss")" -v wall="$wall" '{ for (i = 1; i <= NF; ++i) if ($i == "samples/s") { split($(i-2), r, "/"); s += r[2] / $(i-1); n += r[2] } }
    END { printf "{\"case\": \"%s\", \"rows\": %d, \"train_s\": %.2f, \"rows_per_s\": %.0f, \"wall_s\": %.2f, \"peak_rss_mib\": %.0f}\n", label, n, s, n / s, wall, rss / 1024 }' "$log"
  rm -f "$log" "$log.rss"
}
drop_cache >/dev/null
small=$(train "20 epochs of 60,000" out/fashion-mnist.h5 --epochs "$COPIES")
echo "$small"
drop_cache >/dev/null
inmem=$(train "1 epoch of 1.2 M, in memory" "$BIG" --epochs 1)
echo "$inmem"
drop_cache >/dev/null
streamed=$(train "1 epoch of 1.2 M, streamed ($BUDGET)" "$BIG" --epochs 1 --data-memory "$BUDGET")
echo "$streamed"
t() { sed "s/.*\"$2\": \([0-9.]*\).*/\1/" <<<"$1"; }
python3 -c "print('training time against twenty small epochs: in memory %.2fx (goal 1.2x), streamed %.2fx (goal 1.5x); whole runs (reading into memory, evaluation, checkpoints): %.2fx and %.2fx' % ($(t "$inmem" train_s) / $(t "$small" train_s), $(t "$streamed" train_s) / $(t "$small" train_s), $(t "$inmem" wall_s) / $(t "$small" wall_s), $(t "$streamed" wall_s) / $(t "$small" wall_s)))"
