#!/usr/bin/env bash
# Reproduces the README's results table: trains every zoo recipe on Fashion-MNIST
# for the table's epochs and batch (Adam, lr 1e-3, seed 1) and prints ae-eval's
# JSON for each. Slow (hours on 2 cores): not part of the tests.
#   bash bench/zoo_table.sh [RECIPE-ID ...]     (default: all rows; run in the order given)
#   JOBS=2 THREADS=1 OUT=out/zoo BIN=build/apps bash bench/zoo_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/zoo}
JOBS=${JOBS:-1}
THREADS=${THREADS:-2}
BIN=${BIN:-build/apps}  # another build (BIN=build-x/apps), or a copy that keeps a long run safe from rebuilds
mkdir -p "$OUT"
[ -f out/fashion-mnist.h5 ] || { mkdir -p out; $BIN/ae-import --out out/fashion-mnist.h5; }
DATA=out/fashion-mnist.h5

# id | ae-train model options | epochs | batch | ae-eval options
rows=(
  "undercomplete|--model undercomplete|50|256|"
  "tied|--model tied|50|256|"
  "deep|--model deep|100|256|"
  "sparse-l1|--model sparse-l1|100|256|"
  "sparse-kl|--model sparse-kl|50|256|"
  "denoising-masking|--model denoising --noise masking:0.25|50|128|"
  "denoising-gaussian|--model denoising --noise gaussian:0.5|50|128|"
  "denoising-saltpepper|--model denoising --noise salt-pepper:0.25|50|128|"
  "contractive|--model contractive|50|128|"
  "contractive-off|--model contractive --contractive 0|50|128|"
  "linear|--model linear|50|256|"
  "vae-10|--model vae|10|128|"
  "vae-50|--model vae|50|128|"
  "beta-vae|--model beta-vae|10|128|"
  "cvae|--model cvae|10|128|"
  "vae-2d|--model vae-2d|50|100|"
  "k-sparse|--model k-sparse|50|128|"
  "conv-strided|--model conv-strided|10|128|"
  "conv-pool|--model conv-pool|20|128|"
  "conv|--model conv|20|128|"
  "conv-denoise|--model conv-denoise|20|128|"
  "conv-vae|--model conv-vae|20|128|"
)

run_row() {
  IFS='|' read -r id model epochs batch evalopts <<<"$1"
  local ck="$OUT/$id/model.h5"
  mkdir -p "$OUT/$id"
  local t0=$SECONDS
  # --drop-last: the table was trained with each epoch's last, partial batch
  # dropped (ae-train's only behaviour before 2026-12-04), and every row stays
  # comparable with it; docs/results.md gives what training on every sample changes.
  # shellcheck disable=SC2086
  $BIN/ae-train --data $DATA $model --epochs "$epochs" --batch "$batch" --drop-last --lr 1e-3 --seed 1 \
    --threads "$THREADS" --out "$ck" --quiet >"$OUT/$id/train.log" 2>&1
  # shellcheck disable=SC2086
  local json; json=$($BIN/ae-eval --checkpoint "$ck" --data $DATA --json $evalopts)
  echo "{\"id\": \"$id\", \"seconds\": $((SECONDS - t0)), \"eval\": $json}" | tee "$OUT/$id/result.json"
}

# The rows asked for, in the order asked (default: all, in table order).
selected=()
if [ $# -eq 0 ]; then
  selected=("${rows[@]}")
else
  for want in "$@"; do
    found=
    for r in "${rows[@]}"; do [ "${r%%|*}" = "$want" ] && found=$r; done
    [ -n "$found" ] || { echo "zoo_table.sh: no row '$want' (rows: ${rows[*]%%|*})" >&2; exit 2; }
    selected+=("$found")
  done
fi
for r in "${selected[@]}"; do
  if [ "$JOBS" -gt 1 ]; then
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 5; done
    run_row "$r" &
  else
    run_row "$r"
  fi
done
wait
