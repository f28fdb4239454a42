#!/usr/bin/env bash
# aegraph as an outside project sees it: installs build/ into a prefix, compiles
# each installed header on its own, then builds examples/ against the prefix
# through find_package(aegraph) with -Wall -Wextra -Werror and runs every
# example. Needs a built build/ (scripts/build.sh); any error fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
work=build/examples-check  # a fixed place, so ccache finds its earlier compiles
rm -rf "$work"
mkdir -p "$work"
prefix="$PWD/$work/prefix"
cmake --install build --prefix "$prefix" >/dev/null

# Each public header compiles alone, warning-free: none leans on a private one
# (not installed) or on what an earlier include happened to bring.
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' build/CMakeCache.txt)
headers=$(cd "$prefix/include" && find aegraph -name '*.hpp' | sort)
for h in $headers; do
  echo "#include <$h>" >"$work/$(echo "$h" | tr / _).cpp"
done
echo "examples: compiling $(echo "$headers" | wc -w) installed headers one by one"
ls "$work"/aegraph_*.cpp | xargs -P "$(nproc)" -I{} "$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only \
  -I"$prefix/include" -I"$prefix/include/aegraph" {}

# The option structs a user fills by designated initializers, one field each:
# -Wextra's missing-field-initializers must not fire (every field has a default).
# (io::DatasetFormat is left out: image_shape and source have none yet.)
cat >"$work/options.cpp" <<'CPP'
#include <aegraph/engine/dot.hpp>
#include <aegraph/engine/gradcheck.hpp>
#include <aegraph/engine/optim.hpp>
#include <aegraph/io/batch_reader.hpp>
#include <aegraph/zoo/model.hpp>
aeg::PlanOptions p{.grads = false};
aeg::ExecOptions e{.threads = 2};
aeg::AdamOptions a{.lr = 1e-2};
aeg::SGDOptions s{.lr = 1e-2};
aeg::GradcheckOptions g{.eps = 1e-7};
aeg::DotOptions d{.backward = true};
aeg::Saves v{.inputs = true};
aeg::zoo::BuildOptions b{.jacobian_norm = true};
aeg::io::ReaderOptions r{.seed = 1};
#include <aegraph/train/evaluate.hpp>
aeg::train::EvalOptions t{.batch = 100};
#include <aegraph/train/trainer.hpp>
aeg::train::TrainConfig c{.data = "d.h5", .batch = 128};
CPP
"$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" -I"$prefix/include/aegraph" "$work/options.cpp"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S examples -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" "${launcher[@]}" >/dev/null
cmake --build "$work/build" -j "$(nproc)"
for ex in tied_autoencoder custom_op micrograd; do
  echo "== examples/$ex"
  "$work/build/$ex"
done
for ex in dataset_checkpoint hand_built_trainer; do
  echo "== examples/$ex"
  "$work/build/$ex" "$PWD/$work"
done
echo "examples: all built against the installed package and ran"
