#!/usr/bin/env bash
# The `undercomplete` recipe (50 epochs of 256, Adam 1e-3, 1 thread) over several seeds,
# in aegraph and in libtorch (bench/reference/undercomplete.cpp): the test BCE/px and the
# number of dead code units of each run, one JSON line each, in out/undercomplete-seeds/.
#   SEEDS=1,2,3,4,5 bash bench/undercomplete_seeds.sh
# Needs a built tree (build/) and libtorch-dev (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-1,2,3,4,5}
EPOCHS=${EPOCHS:-50}
OUT=${OUT:-out/undercomplete-seeds}
mkdir -p "$OUT" "$OUT/idx"
[ -f out/fashion-mnist.h5 ] || build/apps/ae-import --out out/fashion-mnist.h5
dpkg -s libtorch-dev >/dev/null 2>&1 || apt-get install -y libtorch-dev
cmake -S bench/reference -B build/reference-zoo -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/reference-zoo >/dev/null
for f in /usr/share/datasets/fashion-mnist/*-images-idx3-ubyte.gz; do
  [ -f "$OUT/idx/$(basename "$f" .gz)" ] || zcat "$f" >"$OUT/idx/$(basename "$f" .gz)"
done

lines="$OUT/lines.jsonl"
: >"$lines"
for s in ${SEEDS//,/ }; do
  build/apps/ae-train --data out/fashion-mnist.h5 --model undercomplete --epochs "$EPOCHS" --batch 256 --lr 1e-3 \
    --seed "$s" --threads 1 --quiet --out "$OUT/aegraph-$s.h5" >"$OUT/aegraph-$s.log" 2>&1
  echo "{\"impl\": \"aegraph\", \"seed\": $s, \"epochs\": $EPOCHS, \"eval\": $(build/apps/ae-eval \
    --checkpoint "$OUT/aegraph-$s.h5" --data out/fashion-mnist.h5 --json)}" | tee -a "$lines"
  OMP_WAIT_POLICY=passive build/reference-zoo/undercomplete --data "$OUT/idx" --epochs "$EPOCHS" --seeds "$s" \
    --threads 1 | tee -a "$lines"
done
