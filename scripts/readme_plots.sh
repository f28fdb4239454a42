#!/usr/bin/env bash
# The README's plots in docs/images/: a 2-D VAE's codes, learning curves,
# manifold and interpolation, and a one-class model's ROC curve, from
# Fashion-MNIST (scripts/main.sh imports it). About two minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --target ae-import ae-train ae-eval ae-encode ae-generate
mkdir -p out/plots docs/images
data=out/fashion-mnist.h5
[ -f "$data" ] || build/apps/ae-import --out "$data"
build/apps/ae-train --data "$data" --model vae-2d --batch 100 --epochs 10 --out out/plots/vae-2d.h5 --quiet
cp out/plots/curves.png docs/images/curves.png
build/apps/ae-encode --checkpoint out/plots/vae-2d.h5 --data "$data" --limit 3000 --out out/plots/codes.h5 --plot docs/images/codes.png
build/apps/ae-generate --checkpoint out/plots/vae-2d.h5 --manifold --steps 12 --out docs/images/manifold.png
build/apps/ae-generate --checkpoint out/plots/vae-2d.h5 --interpolate 0,2 --data "$data" --out docs/images/interpolate.png
build/apps/ae-train --data "$data" --model deep --only-class 7 --epochs 20 --out out/plots/deep-7.h5 --quiet
build/apps/ae-eval --checkpoint out/plots/deep-7.h5 --data "$data" --anomaly out/plots/scores.h5 --normal-class 7 \
  --plot docs/images/roc.png
ls -l docs/images/
