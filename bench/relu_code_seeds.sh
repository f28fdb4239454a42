#!/usr/bin/env bash
# The 784-32 ReLU-code recipes over several seeds, in aegraph and in libtorch
# (bench/reference/undercomplete.cpp): test BCE/px, mean code and dead code units of each
# run, one JSON line each, in out/seeds-RECIPE/lines.jsonl. 1 thread, Adam 1e-3, batch 256.
#   RECIPE=undercomplete SEEDS=1,2,3,4,5 bash bench/relu_code_seeds.sh    (50 epochs)
#   RECIPE=sparse-l1 SEEDS=1,2,3 bash bench/relu_code_seeds.sh            (100 epochs, L1 0.0784)
# Needs a built tree (build/) and libtorch-dev (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
RECIPE=${RECIPE:-undercomplete}
SEEDS=${SEEDS:-1,2,3,4,5}
case "$RECIPE" in
  undercomplete) EPOCHS=${EPOCHS:-50}; L1=0 ;;
  sparse-l1) EPOCHS=${EPOCHS:-100}; L1=0.0784 ;;
  *) echo "relu_code_seeds.sh: RECIPE must be undercomplete or sparse-l1" >&2; exit 2 ;;
esac
OUT=${OUT:-out/seeds-$RECIPE}
IDX=out/fashion-mnist-idx
mkdir -p "$OUT"
bash bench/reference/prepare.sh
# libtorch's linear layers run on the same OpenBLAS kernels as aegraph's (see bench/compare.sh).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  OPENBLAS_CORETYPE=$(build/bench/ae-bench --workloads W5 --threads 1 --warmup 0 --min-steps 1 --min-time 0 --json |
    sed -n 's/.*"blas_core": *"\([A-Za-z0-9]*\)".*/\1/p')
  export OPENBLAS_CORETYPE
fi

lines="$OUT/lines.jsonl"
: >"$lines"
for s in ${SEEDS//,/ }; do
  build/apps/ae-train --data out/fashion-mnist.h5 --model "$RECIPE" --epochs "$EPOCHS" --batch 256 --lr 1e-3 \
    --seed "$s" --threads 1 --quiet --out "$OUT/aegraph-$s.h5" >"$OUT/aegraph-$s.log" 2>&1
  echo "{\"impl\": \"aegraph\", \"seed\": $s, \"epochs\": $EPOCHS, \"eval\": $(build/apps/ae-eval \
    --checkpoint "$OUT/aegraph-$s.h5" --data out/fashion-mnist.h5 --json)}" | tee -a "$lines"
  OMP_WAIT_POLICY=passive build/reference-zoo/undercomplete --data "$IDX" --epochs "$EPOCHS" --seeds "$s" \
    --l1 "$L1" --threads 1 | tee -a "$lines"
done
