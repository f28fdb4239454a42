#!/usr/bin/env bash
# The HTML stepper (ae-graph --html) in a real browser, headless chromium: the
# page presses Next through every step and Previous once (page.html?selftest), and
# what each press showed (the step's trace lines, the node its table row and its
# drawing highlight) must be the trace's steps in order; then screenshots of the
# first and last steps. Exits 77 (CTest: skipped) where there is no chromium.
#
#   stepper_browser.sh AE_GRAPH OUT_DIR
set -euo pipefail
graph=$1 out=$2
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "stepper_browser: no chromium here (scripts/setup.sh installs it): skipped"
  exit 77
fi
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# Without the background-networking flags chromium phones home, which a closed network refuses slowly.
chrome() {
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --virtual-time-budget=5000 "$@" 2>/dev/null
}

# What the page must show: each trace step's label and lines, pressed through, then one step back
# (drawn: the node highlighted in the drawing; "-" for a page without one, from an ae-graph built
# without Graphviz's library).
expected() {
  awk -v drawn="$2" '
    /^(forward|backward) / {
      if (n) steps[n] = text
      label = $3
      if ($2 == "seed") { sub(/^d[^\/]*\/d/, "", label); sub(/ .*/, "", label) }
      n++; labels[n] = label; text = $0; next
    }
    /^ +d/ { text = text "\n" $0; next }
    END {
      steps[n] = text
      for (k = 1; k <= n; k++) printf "== step %d: %s (row %s, drawn %s)\n%s\n", k, labels[k], labels[k], drawn ? labels[k] : "-", steps[k]
      k = n - 1; printf "== step %d: %s (row %s, drawn %s)\n%s\n", k, labels[k], labels[k], drawn ? labels[k] : "-", steps[k]
    }' "$1"
}

check() {  # name, ae-graph arguments
  local name=$1
  shift
  "$graph" "$@" --trace --html "$out/$name.html" --out "$out/$name.dot" | grep -E '^(forward|backward| )' >"$out/$name.trace"
  chrome --dump-dom "file://$out/$name.html?selftest" >"$out/$name.dom"
  sed -n '/<pre id="selftest">/,/<\/pre>/p' "$out/$name.dom" | sed -e 's/^.*<pre id="selftest">//' -e 's/<\/pre>.*$//' \
    -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' | sed '/^$/d' >"$out/$name.shown"
  local drawn=1
  grep -q '<svg' "$out/$name.html" || drawn=0
  expected "$out/$name.trace" "$drawn" >"$out/$name.expected"
  if ! diff -u "$out/$name.expected" "$out/$name.shown"; then
    echo "stepper_browser: $name: the page did not show the trace's steps (above: - expected, + shown)"
    exit 1
  fi
  local steps
  steps=$(grep -c '^\(forward\|backward\) ' "$out/$name.trace")
  for k in 1 "$steps"; do
    chrome --window-size=1400,1000 --screenshot="$out/$name-step-$k.png" "file://$out/$name.html?steps=$k" >/dev/null
    [ -s "$out/$name-step-$k.png" ] || { echo "stepper_browser: $name: no screenshot of step $k"; exit 1; }
  done
  echo "stepper_browser: $name: $steps steps pressed through as traced; screenshots $out/$name-step-{1,$steps}.png"
}

check neuron --example neuron
check tied --model tied --features 4 --code 2 --code-activation sigmoid --batch 1
