#!/usr/bin/env bash
# What the libtorch comparisons need (bench/relu_code_seeds.sh, bench/lockstep.sh): the HDF5
# dataset, libtorch-dev, build/reference-zoo/undercomplete, and the Debian package's IDX image
# files decompressed in out/fashion-mnist-idx. Run from the repository's folder.
set -euo pipefail
IDX=out/fashion-mnist-idx
mkdir -p "$IDX"
[ -f out/fashion-mnist.h5 ] || build/apps/ae-import --out out/fashion-mnist.h5
dpkg -s libtorch-dev >/dev/null 2>&1 || apt-get install -y libtorch-dev
cmake -S bench/reference -B build/reference-zoo -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/reference-zoo >/dev/null
for f in /usr/share/datasets/fashion-mnist/*-images-idx3-ubyte.gz; do
  [ -f "$IDX/$(basename "$f" .gz)" ] || zcat "$f" >"$IDX/$(basename "$f" .gz)"
done
