#!/usr/bin/env bash
# aegraph and libtorch from the same starting parameters through the same batches (file
# order): libtorch (bench/reference/undercomplete.cpp --lockstep) writes its initial and
# final parameters, ae-lockstep starts from the initial ones and compares with the final.
#   SEED=1 STEPS=200 MODEL=undercomplete bash bench/lockstep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${SEED:-1}
STEPS=${STEPS:-200}
MODEL=${MODEL:-undercomplete}
OUT=${OUT:-out/lockstep}
IDX=out/fashion-mnist-idx
mkdir -p "$OUT"
bash bench/reference/prepare.sh
L1=0
[ "$MODEL" = sparse-l1 ] && L1=0.0784
OMP_WAIT_POLICY=passive build/reference-zoo/undercomplete --data "$IDX" --seeds "$SEED" --l1 "$L1" \
  --lockstep "$STEPS" --dump "$OUT" >"$OUT/libtorch.txt"
build/bench/ae-lockstep --dir "$OUT" --steps "$STEPS" --model "$MODEL" >"$OUT/aegraph.txt"
echo "loss at step $STEPS: libtorch $(grep "^step $STEPS " "$OUT/libtorch.txt" | cut -d' ' -f4)," \
  "aegraph $(grep "^step $STEPS " "$OUT/aegraph.txt" | cut -d' ' -f4)"
grep -E "max|dead" "$OUT/aegraph.txt"
echo "libtorch: $(grep dead "$OUT/libtorch.txt")"
