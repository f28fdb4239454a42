// The namespace of code that is compiled once per instruction set. The engine
// is built for x86-64-v3 (AVX2, FMA), and its float kernels once more for
// AVX-512 (kernels_avx512.cpp); the kernel headers put their code in
// `inline namespace AEG_ISA`, so that the two builds of one inline function
// never merge at link time (the linker keeps one copy of each inline function,
// and an AVX-512 copy chosen for every caller would fault on an AVX2 CPU).
// Internal to the engine.
#pragma once

#ifndef AEG_ISA
#define AEG_ISA avx2  // the library's baseline build
#endif

// Whether this build compiles the kernels' AVX-512 branches (`#if
// defined(AEG_ISA_AVX512)`). The AVX-512 build's files set it: their `#pragma
// GCC target` gives the compiler AVX-512 but, in C++, does not define
// __AVX512F__ for the preprocessor. A -march with AVX-512 (AEGRAPH_NATIVE)
// sets it for every build.
#if !defined(AEG_ISA_AVX512) && defined(__AVX512F__)
#define AEG_ISA_AVX512 1
#endif
