#!/usr/bin/env bash
# Data-parallel ae-train under mpirun, on a small made-up dataset (CTest runs it;
# tests/CMakeLists.txt). Every checkpoint is compared whole with h5diff, which
# reports any value that differs in any bit. Batches of 192 in 12 blocks of 16 rows; an epoch's
# last batch is what --train-limit leaves over 6 x 192 = 1152 (blocks of 16, the last one smaller),
# and trains too (the checkpoint's /step says so) unless --drop-last.
#   bits MODEL[+NOISE] LIMIT RANKS...: one process with --grad-blocks against mpirun -np each of
#     RANKS, on the first LIMIT training rows (with --noise NOISE when given)
#   resume: 1 epoch on 2 ranks, resumed to 2 on 3 ranks, against 2 epochs at once (a last batch
#     of 38: blocks of 16, 16, 6); and with --drop-last, 1 epoch on 4 ranks resumed on 1
#   kill: rank 1 killed during training: mpirun fails, rank 0 says why, the checkpoint loads and resumes
#   solo (no MPI needed): --grad-blocks on 1 and 2 threads, and 4 blocks resumed as 2 runs, with a
#     last batch of 38; --drop-last trains whole batches only; sparse-kl (its penalty at the whole
#     batch's mean code) on 1 and 2 threads
# usage: mpi_train_test.sh AE_TRAIN AE_IMPORT MPIEXEC|none WORKDIR MODE [ARGS...]
set -euo pipefail
train=$1 import=$2 mpiexec=$3 dir=$4 mode=$5
shift 5
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

# 2,400 rows of 64 values in [0, 1] (8 x 8 images), ten classes, half of them for the test split
# (three evaluation batches, 500, 500 and 200, split over the ranks).
awk 'BEGIN { srand(7); for (i = 0; i < 2400; i++) { c = i % 10; printf "%d", c;
  for (j = 0; j < 64; j++) printf ",%.4f", 0.5 + 0.4 * sin((j + 1) * (c + 1) * 0.3) + 0.1 * (rand() - 0.5); printf "\n" } }' > d.csv
"$import" --csv d.csv --label-column 0 --test-fraction 0.5 --out d.h5 > /dev/null

common=(--data d.h5 --batch 192 --grad-blocks 12 --image-shape 1,8,8 --quiet)
ranks() { local n=$1; shift; "$mpiexec" --oversubscribe --bind-to none -np "$n" "$train" "$@"; }
same() { h5diff "$1" "$2" || { echo "FAIL: $1 and $2 differ"; exit 1; }; echo "$1 = $2"; }
# steps FILE N: the checkpoint's /step is N.
steps() {
  local s
  s=$(h5dump -d /step "$1" | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
  [ "$s" = "$2" ] || { echo "FAIL: $1 took $s steps, expected $2"; exit 1; }
}

case $mode in
  bits)
    model=(--model "${1%%+*}") limit=$2
    [[ $1 == *+* ]] && model+=(--noise "${1#*+}")
    shift 2
    "$train" "${common[@]}" --train-limit "$limit" "${model[@]}" --epochs 2 --threads 1 --out one.h5
    steps one.h5 $((2 * ((limit + 191) / 192)))
    for n in "$@"; do
      ranks "$n" "${common[@]}" --train-limit "$limit" "${model[@]}" --epochs 2 --threads 2 --out "ranks$n.h5"
      same one.h5 "ranks$n.h5"
    done ;;
  resume)
    "$train" "${common[@]}" --train-limit 1190 --model denoising --epochs 2 --out whole.h5
    steps whole.h5 14
    ranks 2 "${common[@]}" --train-limit 1190 --model denoising --epochs 1 --out resumed.h5
    ranks 3 "${common[@]}" --epochs 2 --resume --out resumed.h5
    same whole.h5 resumed.h5
    # --drop-last is kept by --resume: whole batches only.
    "$train" "${common[@]}" --train-limit 1190 --drop-last --model denoising --epochs 2 --out whole-drop.h5
    steps whole-drop.h5 12
    ranks 4 "${common[@]}" --train-limit 1190 --drop-last --model denoising --epochs 1 --out resumed-drop.h5
    ranks 1 "${common[@]}" --epochs 2 --resume --out resumed-drop.h5
    same whole-drop.h5 resumed-drop.h5 ;;
  kill)
    # mpirun itself in the background (not a function's subshell), so that the ranks are its children.
    "$mpiexec" --oversubscribe --bind-to none -np 2 "$train" "${common[@]}" --model undercomplete --epochs 1000000 \
      --out killed.h5 > run.log 2>&1 &
    launcher=$!
    for _ in $(seq 300); do [ -f killed.h5 ] && break; sleep 0.1; done
    [ -f killed.h5 ] || { echo "FAIL: no checkpoint after 30 s"; kill "$launcher"; exit 1; }
    victim=
    for p in $(pgrep -P "$launcher"); do
      if tr '\0' '\n' < "/proc/$p/environ" | grep -qx OMPI_COMM_WORLD_RANK=1; then victim=$p; fi
    done
    [ -n "$victim" ] || { echo "FAIL: rank 1 not found among mpirun's children"; kill "$launcher"; exit 1; }
    kill -9 "$victim"
    status=0
    wait "$launcher" || status=$?
    cat run.log
    [ "$status" -ne 0 ] || { echo "FAIL: mpirun exited 0 after a rank was killed"; exit 1; }
    grep -q "rank 0 of 2 stopped by mpirun: another rank ended the run.*killed.h5, is intact" run.log ||
      { echo "FAIL: rank 0 did not say why it stopped"; exit 1; }
    epoch=$(h5dump -d /epoch killed.h5 | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
    ranks 2 "${common[@]}" --epochs $((epoch + 1)) --resume --out killed.h5
    echo "resumed from epoch $epoch after the kill" ;;
  solo)
    "$train" "${common[@]}" --train-limit 1190 --model vae --epochs 2 --threads 1 --out t1.h5
    steps t1.h5 14
    "$train" "${common[@]}" --train-limit 1190 --model vae --epochs 1 --threads 2 --out t2.h5
    "$train" "${common[@]}" --epochs 2 --threads 2 --resume --out t2.h5
    same t1.h5 t2.h5
    "$train" "${common[@]}" --train-limit 1190 --drop-last --model vae --epochs 2 --threads 1 --out t3.h5
    steps t3.h5 12
    "$train" "${common[@]}" --train-limit 1190 --model sparse-kl --noise masking:0.25 --epochs 2 --threads 1 --out kl1.h5
    steps kl1.h5 14
    "$train" "${common[@]}" --train-limit 1190 --model sparse-kl --noise masking:0.25 --epochs 2 --threads 2 --out kl2.h5
    same kl1.h5 kl2.h5 ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
