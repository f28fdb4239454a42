# Reads a sanitizer or libFuzzer report and prints where the fault lies: "libhdf5"
# when it lies inside the HDF5 library itself, else "ours". A stack's fault lies in
# its innermost frame that is not the sanitizer, libFuzzer, libc or libstdc++
# (malloc, memcpy, abort, throw and their kin); a leak report is libhdf5's only if
# every leaked block was allocated there; a report with no stack is ours.
#   awk -f fuzz/where.awk report.log
function runtime(line) {
  return line ~ /in (__pthread_kill_implementation|raise|abort|malloc|calloc|realloc|free|operator new|operator delete|__interceptor_|__asan|__lsan|__ubsan|__sanitizer|fuzzer::|___interceptor_)/ ||
         line ~ /\((\/[^ ]*\/)?(libc\.so|libstdc\+\+\.so|libgcc_s\.so)/ || line ~ /in (__cxa_|std::terminate|__gnu_cxx::__verbose)/
}
/^ *#0 0x/ { stacks++; decided = 0 }
/^ *#[0-9]+ 0x/ {
  if (decided || runtime($0)) next
  decided = 1
  where[stacks] = $0 ~ /libhdf5/ ? "libhdf5" : "ours"
}
/LeakSanitizer: detected memory leaks/ { leak = 1 }
END {
  if (stacks == 0) { print "ours"; exit }
  if (!leak) { print (1 in where) ? where[1] : "ours"; exit }
  for (i = 1; i <= stacks; i++) if (where[i] != "libhdf5") { print "ours"; exit }
  print "libhdf5"
}
