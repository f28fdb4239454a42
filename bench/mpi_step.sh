#!/usr/bin/env bash
# Times one data-parallel step (ae-mpi-step) on 1, 2 and 4 ranks of this machine,
# each rank on `THREADS` threads, three runs each; one JSON line a run, for
# docs/distributed.md's cost model. Ranks that wait spin in Open MPI by default:
# on more ranks than cores, yield instead (mpi_yield_when_idle).
#   bash bench/mpi_step.sh [MODEL:BATCH ...]        (default: shallow:256 deep:256 deep:1024)
set -euo pipefail
cd "$(dirname "$0")/.."
exe=build/bench/ae-mpi-step
[ -x "$exe" ] || { echo "build ae-mpi-step first (cmake --build build --target ae-mpi-step; needs MPI)"; exit 1; }
threads=${THREADS:-1}
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(shallow:256 deep:256 deep:1024)
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for run in "${runs[@]}"; do
  for n in 1 2 4; do
    for _ in 1 2 3; do
      mpirun --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np "$n" "$exe" --model "${run%%:*}" \
        --batch "${run##*:}" --threads "$threads" --steps 30 --warmup 3
    done
  done
done
