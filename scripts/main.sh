#!/usr/bin/env bash
# The main job: install what is missing, build, import Fashion-MNIST from the
# Debian package, train the default model for a few epochs, write its pictures.
# Extra arguments go to ae-train (e.g. --model vae --epochs 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --target ae-import ae-train ae-eval
mkdir -p out
[ -f out/fashion-mnist.h5 ] || build/apps/ae-import --out out/fashion-mnist.h5
build/apps/ae-train --data out/fashion-mnist.h5 --epochs 5 --out out/model.h5 "$@"
build/apps/ae-eval --checkpoint out/model.h5 --data out/fashion-mnist.h5
echo
echo "checkpoint:      out/model.h5"
echo "reconstructions: out/recon.png (top: test images, bottom: their reconstructions)"
echo "learning curves: out/curves.png and out/curves.svg (train and test loss per epoch)"
