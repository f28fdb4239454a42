#!/usr/bin/env bash
# Every libFuzzer target of fuzz/ for longer than CI gives them, open-ended: a seed
# from the clock and the corpus that earlier long runs grew in build-fuzz/corpus/
# (scripts/fuzz.sh --seconds does the work), with the date, commit and machine, for
# a results file in bench/results/:
#   bash bench/fuzz_long.sh [SECONDS_EACH] [TARGET...]  > bench/results/fuzz-DATE.txt
# (default 600 s each: 80 minutes for the eight targets). A finding in our code is
# kept in build-fuzz/findings/<target>/: save it in fuzz/regressions/<target>/, where
# CI replays it, and fix the parser.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
echo "date: $(date -u +%Y-%m-%d) commit: $(git rev-parse --short HEAD) cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "$seconds s per target, one at a time, from the seed corpus and what earlier runs grew"
bash scripts/fuzz.sh --seconds "$seconds" "$@" 2>&1 | grep -E "replayed|executions|FINDING|ERROR|SUMMARY|runtime error"
