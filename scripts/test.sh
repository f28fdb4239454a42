#!/usr/bin/env bash
# Installs what is missing, builds, runs every test through CTest, then builds
# and runs examples/ against the installed package (scripts/examples.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
bash scripts/examples.sh
