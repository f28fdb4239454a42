#!/usr/bin/env bash
# Real-valued data: the Wisconsin breast-cancer file that Debian's python3-sklearn
# ships (569 rows, 30 features from 0.0008 to 4254, label last: 0 malignant,
# 1 benign), imported with a seeded 80/20 train/test split and standardized on the
# training rows (ae-import --scale standard). Then
#  (a) the `linear` recipe (MSE, identity output) with code k against PCA-k of the
#      same training rows (bench/pca_baseline.cpp, xtensor-blas's eigh): test MSE per
#      feature in the standardized units;
#  (b) one-class anomaly detection: trained on the benign training rows only, every
#      test row scored by its reconstruction error, the ROC AUC of finding the
#      malignant ones, for the linear autoencoder, a small non-linear one
#      (30-16-k-16-30 tanh, identity code and output) and PCA-k fitted on the same rows.
# Each autoencoder: Adam, batch 32, lr 1e-2 for E1 epochs then 1e-3 up to E2 (--resume),
# 1 thread. About 3 minutes on one core. Not a test.
#   bash bench/real_data.sh       (OUT=out/real CODES="2 5 10" SEEDS="1 2 3" E1=300 E2=600)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/real}
CODES=${CODES:-2 5 10}
SEEDS=${SEEDS:-1 2 3}
E1=${E1:-300}
E2=${E2:-600}
BIN=build/apps
CSV=/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv
if [ ! -f "$CSV" ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends python3-sklearn
fi
[ "$(head -1 "$CSV")" = "569,30,malignant,benign" ] || { echo "unexpected first line in $CSV" >&2; exit 1; }
mkdir -p "$OUT"
DATA=$OUT/breast-cancer.h5
$BIN/ae-import --csv "$CSV" --label-column 30 --scale standard --test-fraction 0.2 --seed 1 --out "$DATA" >"$OUT/import.log"
cat "$OUT/import.log"

json_field() { python3 -c "import json, sys; print(json.loads(next(l for l in sys.stdin if l.startswith('{')))['$1'])"; }

# train NAME SEED "OPTIONS": two-stage Adam, the checkpoint in $OUT/NAME.h5
train() {
  $BIN/ae-train --data "$DATA" $3 --seed "$2" --epochs "$E1" --batch 32 --lr 1e-2 --threads 1 --quiet --out "$OUT/$1.h5" >/dev/null
  $BIN/ae-train --data "$DATA" --resume --seed "$2" ${4:-} --epochs "$E2" --batch 32 --lr 1e-3 --threads 1 --quiet \
    --out "$OUT/$1.h5" >/dev/null
}

RESULTS=$OUT/results.jsonl
: >"$RESULTS"
codes_csv=$(tr ' ' ',' <<<"$CODES")
build/bench/ae-pca --data "$DATA" --codes "$codes_csv" --normal-class 1 | tee -a "$RESULTS"

echo "(a) reconstruction: linear autoencoder against PCA, test MSE per standardized feature"
for k in $CODES; do
  train "linear$k" 1 "--model linear --code $k"
  test_mse=$($BIN/ae-eval --checkpoint "$OUT/linear$k.h5" --data "$DATA" --json --threads 1 | json_field mse_px)
  train_mse=$($BIN/ae-eval --checkpoint "$OUT/linear$k.h5" --data "$DATA" --split train --json --threads 1 | json_field mse_px)
  echo "{\"method\": \"linear-ae\", \"k\": $k, \"seed\": 1, \"train_mse_px\": $train_mse, \"test_mse_px\": $test_mse}" | tee -a "$RESULTS"
done

echo "(b) one-class: trained on benign training rows, ROC AUC of finding the malignant test rows by MSE"
for k in $CODES; do
  for seed in $SEEDS; do
    for model in linear deep; do
      opts="--model linear --code $k"
      [ $model = deep ] && opts="--model deep --hidden 16 --code $k --activation tanh --code-activation identity --loss mse --output identity"
      train "benign-$model$k-s$seed" "$seed" "$opts --only-class 1" "--only-class 1"
      auc=$($BIN/ae-eval --checkpoint "$OUT/benign-$model$k-s$seed.h5" --data "$DATA" --anomaly "$OUT/benign-$model$k-s$seed-errors.h5" \
        --normal-class 1 --threads 1 | grep '^AUROC' | sed 's/.*: //')
      echo "{\"method\": \"$model-ae\", \"k\": $k, \"seed\": $seed, \"normal_class\": 1, \"auroc\": $auc}" | tee -a "$RESULTS"
    done
  done
done
