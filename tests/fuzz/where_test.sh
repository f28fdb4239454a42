#!/usr/bin/env bash
# fuzz/where.awk places saved sanitizer reports (tests/fuzz/reports/) where their
# fault lies: libc's, libstdc++'s and the sanitizer's frames are skipped whether the
# symbolizer names their module (no debug information) or their function and
# source path (libc6-dbg installed).
#   bash tests/fuzz/where_test.sh
set -u
cd "$(dirname "$0")"
fails=0 passed=0
expect() {
  local got
  got=$(awk -f ../../fuzz/where.awk "reports/$1")
  if [ "$got" = "$2" ]; then
    passed=$((passed + 1))
  else
    fails=$((fails + 1))
    echo "FAIL: reports/$1: where.awk says '$got', expected '$2'"
  fi
}
# A SEGV in libc's memcpy called by libhdf5 (H5Aexists): the fault is libhdf5's.
expect checkpoint-segv-memcpy-libc-debug-info.log libhdf5
expect checkpoint-segv-memcpy-libc-plain.log libhdf5
# The same memcpy called from our own function: ours.
expect memcpy-from-our-code-libc-debug-info.log ours
# An exception that escaped a TBB loop in our reader: abort, std::terminate, libtbb's rethrow: ours.
expect dataset-uncaught-exception-libc-debug-info.log ours
expect dataset-uncaught-exception-libc-plain.log ours
# Leaks: libhdf5's only if every leaked block was allocated there.
expect dataset-leak-in-libhdf5.log libhdf5
expect dataset-leak-in-libhdf5-and-ours.log ours
echo "$passed passed, $fails failed"
[ "$fails" -eq 0 ]
