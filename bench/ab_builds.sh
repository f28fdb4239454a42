#!/usr/bin/env bash
# Two builds of ae-bench, run alternately on the same workloads, round after
# round, in one command (the host's speed moves in phases of minutes, so only a
# ratio of neighbours means anything), then each workload's median ratio of
# B's steps/s to A's over the rounds' pairs, of the median steps and of the
# fastest (which other programs on the host disturb least).
#   ROUNDS=5 bash bench/ab_builds.sh build-native build [ae-bench options]
# (default options: --workloads W1,W2,W3,W4 --threads 1,2 --min-time 2)
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2
shift 2
opts=("$@")
[ ${#opts[@]} -gt 0 ] || opts=(--workloads W1,W2,W3,W4 --threads 1,2 --min-time 2)
ROUNDS=${ROUNDS:-5}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for r in $(seq "$ROUNDS"); do
  for build in "$a" "$b"; do
    "$build/bench/ae-bench" "${opts[@]}" --json | sed "s|^{|{\"build\": \"$build\", \"round\": $r, |" | tee -a "$log"
  done
done
python3 - "$log" "$a" "$b" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
a, b = sys.argv[2], sys.argv[3]
key = lambda r: (r["workload"], r["threads"])
by = {}
for r in rows:
    by.setdefault((key(r), r["round"]), {})[r["build"]] = r
print(f"\n{b} / {a}, median over {len({r['round'] for r in rows})} rounds (range); steps/s of {a} -> {b}")
print(f"{'workload':8} {'threads':>7} {'median steps':>22} {'fastest step':>22} {'median steps/s':>20} {'fastest steps/s':>20}")
for k in sorted({key(r) for r in rows}):
    pairs = [v for (kk, _), v in by.items() if kk == k and a in v and b in v]
    cols = []
    for f in ("steps_per_s", "best_steps_per_s"):
        q = [p[b][f] / p[a][f] for p in pairs]
        cols.append(f"{statistics.median(q):.3f} ({min(q):.2f}-{max(q):.2f})")
    rates = [f"{statistics.median(p[a][f] for p in pairs):.1f} -> {statistics.median(p[b][f] for p in pairs):.1f}"
             for f in ("steps_per_s", "best_steps_per_s")]
    print(f"{k[0]:8} {k[1]:>7} {cols[0]:>22} {cols[1]:>22} {rates[0]:>20} {rates[1]:>20}")
PY
