#!/usr/bin/env bash
# aegraph against libtorch on the reference workloads, in one command: for each
# workload and thread count, ae-bench then the libtorch reference program, each in its
# own process (so peak resident memory is per workload), alternating ROUNDS times.
# Each run reports its median step rate; the table takes each side's best run over the
# rounds (stalls from the machine only ever slow a run down) and shows the rounds' range.
#   bash bench/compare.sh [REFERENCE-SOURCE-DIR]    (default ../shared/reference)
#   WORKLOADS=W1,W2 THREADS=1,2 ROUNDS=3 bash bench/compare.sh
#   HUGEPAGES=1 ...: both programs' large mallocs on transparent huge pages (glibc's
#   hugetlb tunable). On this VM, reading the cycled 48 MB of input rows through 4 KB
#   pages made W1's first layer 3-6x slower in some processes and not others.
# Needs libtorch-dev (installed if missing) and a built tree (build/).
set -euo pipefail
cd "$(dirname "$0")/.."
REF_SRC=$(realpath "${1:-../shared/reference}")
WORKLOADS=${WORKLOADS:-W1,W2,W3,W4,W5}
THREADS=${THREADS:-1,2}
ROUNDS=${ROUNDS:-3}
REF_BUILD=${REF_BUILD:-build/reference}
OUT=${OUT:-out/compare}
HUGEPAGES=${HUGEPAGES:-0}
mkdir -p "$OUT"
[ "$HUGEPAGES" = 1 ] && export GLIBC_TUNABLES=glibc.malloc.hugetlb=1

if [ ! -x "$REF_BUILD/reference_bench" ]; then
  dpkg -s libtorch-dev >/dev/null 2>&1 || apt-get install -y libtorch-dev
  cmake -S "$REF_SRC/libtorch" -B "$REF_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REF_BUILD"
fi
if [ ! -x "$REF_BUILD/sgemm_peak" ]; then
  gcc -O2 -o "$REF_BUILD/sgemm_peak" "$REF_SRC/gemm/sgemm_peak.c" -lopenblas
fi

# The same OpenBLAS kernels for all three programs: aegraph's apps leave OpenBLAS's generic
# kernels for the CPU's own where OpenBLAS does not know the CPU (engine/kernels/blas_core.cpp); the
# reference and sgemm_peak get the core aegraph runs on, named.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  OPENBLAS_CORETYPE=$(build/bench/ae-bench --workloads W5 --threads 1 --warmup 0 --min-steps 1 --min-time 0 --json |
    sed -n 's/.*"blas_core": *"\([A-Za-z0-9]*\)".*/\1/p')
  export OPENBLAS_CORETYPE
fi
echo "OpenBLAS kernels: $OPENBLAS_CORETYPE" >"$OUT/blas_core.txt"

lines="$OUT/lines.jsonl"
: >"$lines"
for round in $(seq "$ROUNDS"); do
  for w in ${WORKLOADS//,/ }; do
    for t in ${THREADS//,/ }; do
      /usr/bin/time -o "$OUT/rss" -f '%M' build/bench/ae-bench --workloads "$w" --threads "$t" --json >"$OUT/a.json"
      echo "{\"impl\": \"aegraph\", \"round\": $round, \"max_rss_kib\": $(tail -1 "$OUT/rss"), \"bench\": $(grep '"workload"' "$OUT/a.json")}" >>"$lines"
      OMP_WAIT_POLICY=passive /usr/bin/time -o "$OUT/rss" -f '%M' "$REF_BUILD/reference_bench" bench --workloads "$w" \
        --threads "$t" >"$OUT/r.json" 2>/dev/null
      echo "{\"impl\": \"libtorch\", \"round\": $round, \"max_rss_kib\": $(tail -1 "$OUT/rss"), \"bench\": $(grep '"workload"' "$OUT/r.json")}" >>"$lines"
      # W2's GEMM efficiency is judged against the sgemm peak at its shapes measured in the
      # same round, seconds later (0.2 s a shape), not once for the whole command.
      if [ "$w" = W2 ]; then
        OPENBLAS_NUM_THREADS=$t "$REF_BUILD/sgemm_peak" 0.2 2>&1 | sed -n "s/^JSON /{\"impl\": \"sgemm\", \"round\": $round, \"sgemm\": /p" |
          sed 's/$/}/' >>"$lines"
      fi
    done
    # W2's scaling from 1 to 2 threads, the two alternated step by step in one process.
    if [ "$w" = W2 ] && [ "$THREADS" = 1,2 ]; then
      build/bench/ae-bench --workloads W2 --threads 1,2 --interleave --json |
        sed "s/^/{\"impl\": \"interleaved\", \"round\": $round, \"bench\": /; s/$/}/" >>"$lines"
    fi
  done
done
: >"$OUT/sgemm.txt"
for t in ${THREADS//,/ }; do
  echo "sgemm peak, $t thread(s):" >>"$OUT/sgemm.txt"
  OPENBLAS_NUM_THREADS=$t "$REF_BUILD/sgemm_peak" >>"$OUT/sgemm.txt" 2>&1
done

python3 - "$lines" <<'EOF'
import json, statistics, sys
rows = {}
sgemm = {}  # (round, threads) -> [flops, ms] summed over W2's shapes, each at its median
scaling = {}  # round -> {threads: steps/s} of W2 with 1 and 2 threads interleaved
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["impl"] == "sgemm":
        g = r["sgemm"]
        if g["shape"].startswith("W2 L"):
            acc = sgemm.setdefault((r["round"], g["threads"]), [0.0, 0.0])
            acc[0] += 2.0 * g["M"] * g["N"] * g["K"]
            acc[1] += g["median_ms"]
        continue
    b = r["bench"]
    if r["impl"] == "interleaved":
        scaling.setdefault(r["round"], {})[b["threads"]] = b["steps_per_s"]
        continue
    key = (b["workload"], b["threads"])
    d = rows.setdefault(key, {"aegraph": [], "libtorch": [], "rss_a": [], "rss_l": [], "gf_a": [],
                              "best_aegraph": [], "best_libtorch": [], "pairs": {}})
    d[r["impl"]].append(b["steps_per_s"])
    d["pairs"].setdefault(r["round"], {})[r["impl"]] = b["steps_per_s"]
    # The fastest single step of a run: when the host stalls most steps, medians
    # compare stalls, and the fastest steps still compare the code.
    best = b.get("best_steps_per_s") or (1 / b["min_s"] if b.get("min_s") else None)
    if best:
        d["best_" + r["impl"]].append(best)
    d["rss_a" if r["impl"] == "aegraph" else "rss_l"].append(r["max_rss_kib"] / 1024)
    if r["impl"] == "aegraph" and b.get("gflops"):
        d["gf_a"].append(b["gflops"])
        d.setdefault("gf_round", {})[r["round"]] = b["gflops"]
# The host's speed moves in phases of minutes: each round's pair (aegraph, then libtorch,
# seconds apart) is the steadiest comparison, and their median the headline ratio.
print("| workload | threads | aegraph steps/s (rounds) | libtorch steps/s (rounds) | ratio of bests | median pair ratio | fastest-step ratio | aegraph GFLOP/s | peak MiB aegraph / libtorch |")
print("|---|---|---|---|---|---|---|---|---|")
for (w, t) in sorted(rows):
    d = rows[(w, t)]
    a, l = max(d["aegraph"]), max(d["libtorch"])
    spread = lambda v: ", ".join(f"{x:,.1f}" for x in v)
    gf = f'{max(d["gf_a"]):.1f}' if d["gf_a"] else "-"
    fast = (f'{max(d["best_aegraph"]) / max(d["best_libtorch"]):.2f}x'
            if d["best_aegraph"] and d["best_libtorch"] else "-")
    pair = sorted(p["aegraph"] / p["libtorch"] for p in d["pairs"].values() if "aegraph" in p and "libtorch" in p)
    med = f"{statistics.median(pair):.2f}x" if pair else "-"
    print(f'| {w} | {t} | {a:,.1f} ({spread(d["aegraph"])}) | {l:,.1f} ({spread(d["libtorch"])}) | {a / l:.2f}x | {med} | {fast} | {gf} | {max(d["rss_a"]):.0f} / {max(d["rss_l"]):.0f} |')
effs = []
for (w, t), d in sorted(rows.items()):
    if w != "W2":
        continue
    per_round = [(rnd, gf, sgemm[(rnd, t)]) for rnd, gf in sorted(d.get("gf_round", {}).items()) if (rnd, t) in sgemm]
    if not per_round:
        continue
    fr = [(gf, f / ms / 1e6) for _, gf, (f, ms) in per_round]
    effs.append(f"{w} at {t} thread{'s' if t > 1 else ''}: median {statistics.median(a / p for a, p in fr) * 100:.0f} % "
                f"(rounds: " + ", ".join(f"{a:.1f} / {p:.1f}" for a, p in fr) + ")")
if effs:
    print()
    print("GEMM efficiency, aegraph's GFLOP/s over the sgemm peak at W2's 18 shapes (per-shape medians) measured in the same round:")
    for e in effs:
        print("- " + e)
ratios = [v[2] / v[1] for v in scaling.values() if 1 in v and 2 in v]
if ratios:
    print()
    print(f"W2 at 2 threads over 1 thread, the two alternated step by step in one process: median {statistics.median(ratios):.2f}x "
          f"(rounds: " + ", ".join(f"{x:.2f}" for x in ratios) + ")")
EOF
echo "(per-round JSON in $lines; sgemm peak in $OUT/sgemm.txt)"
