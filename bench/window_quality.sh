#!/usr/bin/env bash
# Does the streaming order (shuffled blocks, rows shuffled within a window of a few blocks) cost
# quality against the uniform shuffle? Trains RECIPES over SEEDS both ways on Fashion-MNIST (the
# streaming way forced by a small --data-memory) and prints ae-eval's JSON for each run.
#   bash bench/window_quality.sh     (RECIPES="undercomplete:50 vae:10" SEEDS="1 2 3" BUDGET=2M THREADS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPES=${RECIPES:-"undercomplete:50 vae:10"}; SEEDS=${SEEDS:-"1 2 3"}; BUDGET=${BUDGET:-2M}; THREADS=${THREADS:-2}
bash scripts/build.sh --target ae-import ae-train ae-eval >/dev/null
mkdir -p out
[ -f out/fashion-mnist.h5 ] || build/apps/ae-import --out out/fashion-mnist.h5
dir=$(mktemp -d)
for r in $RECIPES; do
  recipe=${r%%:*}; epochs=${r##*:}
  batch=$([ "$recipe" = vae ] && echo 128 || echo 256)
  for s in $SEEDS; do
    for mode in shuffle window; do
      extra=(); [ "$mode" = window ] && extra=(--data-memory "$BUDGET")
      ck="$dir/$recipe-$s-$mode.h5"
      build/apps/ae-train --data out/fashion-mnist.h5 --model "$recipe" --epochs "$epochs" --batch "$batch" --seed "$s" \
        --threads "$THREADS" --out "$ck" --quiet "${extra[@]}" >/dev/null
      echo "{\"recipe\": \"$recipe\", \"seed\": $s, \"order\": \"$mode\", \"eval\": $(build/apps/ae-eval --checkpoint "$ck" --data out/fashion-mnist.h5 --json)}"
    done
  done
done
