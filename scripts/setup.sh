#!/usr/bin/env bash
# Installs the Debian packages aegraph needs, if any are missing (run as root on Debian 12).
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config
  xtensor-dev libxtensor-blas-dev libopenblas-dev libtbb-dev
  libhdf5-dev hdf5-tools libboost-program-options-dev libpng-dev zlib1g-dev nlohmann-json3-dev
  libcairo2-dev fonts-dejavu-core
  catch2 dataset-fashion-mnist
  libopenmpi-dev openmpi-bin  # optional: data-parallel ae-train under mpirun (the rest builds without)
  qemu-user  # scripts/portable_check.sh: the library on an emulated CPU without AVX-512
  # ae-graph's SVG and PNG; headless chromium for the stepper page's test (a ~115 MB download, ~420 MB installed)
  libgraphviz-dev chromium
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer; scripts/tsan.sh
  llvm-14  # llvm-symbolizer: scripts/fuzz.sh places a report by its frames' names (a bare machine lacks it)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
