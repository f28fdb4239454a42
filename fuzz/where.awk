# Reads a sanitizer or libFuzzer report and prints where the fault lies: "libhdf5"
# when it lies inside the HDF5 library itself, else "ours". A stack's fault lies in
# its innermost frame that is not the runtime: the sanitizer, libFuzzer, libc or
# libstdc++ (malloc, memcpy, abort, throw and their kin). A leak report is libhdf5's
# only if every leaked block was allocated there; a report with no stack is ours.
#   awk -f fuzz/where.awk report.log
#
# A runtime frame is known by its module (without debug information the symbolizer
# prints "(/lib/x86_64-linux-gnu/libc.so.6+0x...)"), by its function's name, or by its
# source path (with libc6-dbg installed the same frame reads "in
# __memcpy_avx512_unaligned_erms string/../sysdeps/x86_64/multiarch/memmove-...S:362"
# and names no module). glibc's source folders are matched only at the start of a
# relative path: aegraph has no top-level folder of those names.
function runtime_module(line) {
  return line ~ /\((\/[^ ]*\/)?(libc\.so|libm\.so|libstdc\+\+\.so|libgcc_s\.so|ld-linux[^ ]*\.so)/
}
function runtime_function(line) {
  return line ~ /in (__pthread_kill_implementation|__pthread_kill_internal|pthread_kill|raise|abort|malloc|calloc|realloc|free|operator new|operator delete)[ (]/ ||
         line ~ /in (__interceptor_|___interceptor_|__asan|__lsan|__ubsan|__sanitizer|__interception|fuzzer::)/ ||
         line ~ /in (__cxa_|__gxx_|_Unwind_|std::terminate|std::__throw_|__gnu_cxx::__verbose)/ ||
         line ~ /in (__)?(GI_|libc_)?(mem|str|stp|wmem|wcs)[a-z]*(_[A-Za-z0-9_]+)? / ||
         line ~ /in __(libc|GI|memcpy|memmove|memset|memcmp|strlen|strcmp|strncmp|strchr|strrchr|strnlen|stpcpy|strcpy|rawmemchr|memchr)[A-Za-z0-9_]* /
}
function runtime_source(line) {
  return line ~ / (\.\.\/)*(string|sysdeps|libio|stdlib|nptl|malloc|elf|csu|posix|signal|stdio-common|misc|wcsmbs|iconv)\// ||
         line ~ /\/(libstdc\+\+-v3|libsupc\+\+|libgcc)\// || line ~ / \/usr\/include\/c\+\+\// ||
         line ~ /\/compiler-rt\/lib\/(asan|lsan|ubsan|sanitizer_common|interception|fuzzer)\//
}
# libhdf5's frames name its module, or (with its debug information) its H5* functions.
function hdf5(line) {
  return line ~ /libhdf5/ || line ~ /in H5[A-Za-z0-9_]* /
}
function runtime(line) {
  return runtime_module(line) || runtime_function(line) || runtime_source(line)
}
/^ *#0 0x/ { stacks++; decided = 0 }
/^ *#[0-9]+ 0x/ {
  if (decided || runtime($0)) next
  decided = 1
  where[stacks] = hdf5($0) ? "libhdf5" : "ours"
}
/LeakSanitizer: detected memory leaks/ { leak = 1 }
END {
  if (stacks == 0) { print "ours"; exit }
  if (!leak) { print (1 in where) ? where[1] : "ours"; exit }
  for (i = 1; i <= stacks; i++) if (where[i] != "libhdf5") { print "ours"; exit }
  print "libhdf5"
}
