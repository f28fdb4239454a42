#!/usr/bin/env bash
# A second real image set: scikit-learn's 8 x 8 digits (Debian's python3-sklearn,
# 1,797 images, values 0-16, label last). The values are divided by 16 on the way
# in (their own range, the same for every pixel; per-pixel minmax would stretch
# each pixel differently), then a dense and a conv model train on the same split
# with the same code size.   bash bench/digits.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
[ -f "$src" ] || { echo "digits.sh: $src is missing (apt-get install python3-sklearn)" >&2; exit 1; }
out=${1:-out/digits}
mkdir -p "$out"
zcat "$src" | awk -F, -v OFS=, '{ for (i = 1; i < NF; ++i) $i = $i / 16; print }' > "$out/digits.csv"
build/apps/ae-import --csv "$out/digits.csv" --label-column 64 --image-shape 1,8,8 --test-fraction 0.2 --seed 1 \
  --out "$out/digits.h5"
common=(--data "$out/digits.h5" --epochs 40 --batch 32 --lr 2e-3 --seed 1 --threads 2 --code 8 --quiet)
mkdir -p "$out/dense" "$out/conv"
build/apps/ae-train "${common[@]}" --model deep --hidden 32 --out "$out/dense/model.h5"
build/apps/ae-train "${common[@]}" --model conv --out "$out/conv/model.h5"
for m in dense conv; do
  echo "== $m"
  build/apps/ae-eval --checkpoint "$out/$m/model.h5" --data "$out/digits.h5"
done
