#!/usr/bin/env bash
# The one-class anomaly protocol of the zoo issue: for each Fashion-MNIST class
# K, train a 784-128-32 ReLU autoencoder (sigmoid out, BCE) on class K's
# training images only, then score every test image by its reconstruction
# error and print the ROC AUC of telling class K from the other nine, scored by
# MSE and by BCE; last, the means over the ten classes. Slow: not a test.
#   bash bench/anomaly_auroc.sh            (EPOCHS=50 BATCH=128 THREADS=1 OUT=out/anomaly)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/anomaly}
EPOCHS=${EPOCHS:-50}
BATCH=${BATCH:-128}
THREADS=${THREADS:-1}
CLASSES=${CLASSES:-0 1 2 3 4 5 6 7 8 9}
BIN=build/apps
mkdir -p "$OUT"
[ -f out/fashion-mnist.h5 ] || $BIN/ae-import --out out/fashion-mnist.h5
DATA=out/fashion-mnist.h5

for k in $CLASSES; do
  ck="$OUT/class$k.h5"
  $BIN/ae-train --data $DATA --model deep --hidden 128 --code 32 --only-class "$k" --epochs "$EPOCHS" \
    --batch "$BATCH" --lr 1e-3 --seed 1 --threads "$THREADS" --out "$ck" --quiet >"$OUT/class$k.log" 2>&1
  # ae-eval prints: AUROC, class K against the rest, scored by mse: A  (mse A, bce B)
  line=$($BIN/ae-eval --checkpoint "$ck" --data $DATA --anomaly "$OUT/class$k-errors.h5" --normal-class "$k" \
    --threads "$THREADS" | grep '^AUROC')
  mse=$(sed -E 's/.*\(mse ([0-9.e-]+), bce ([0-9.e-]+)\).*/\1/' <<<"$line")
  bce=$(sed -E 's/.*\(mse ([0-9.e-]+), bce ([0-9.e-]+)\).*/\2/' <<<"$line")
  echo "{\"class\": $k, \"epochs\": $EPOCHS, \"auroc_mse\": $mse, \"auroc_bce\": $bce}" | tee "$OUT/class$k.json"
done
awk -F'[:,} ]+' '{ for (i = 1; i < NF; ++i) { if ($i == "\"auroc_mse\"") m += $(i + 1); if ($i == "\"auroc_bce\"") b += $(i + 1) } n++ }
  END { if (n) printf "{\"classes\": %d, \"mean_auroc_mse\": %.4f, \"mean_auroc_bce\": %.4f}\n", n, m / n, b / n }' \
  "$OUT"/class*.json | tee "$OUT/mean.json"
