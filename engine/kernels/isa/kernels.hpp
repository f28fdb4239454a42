// The float kernels built once per instruction set, and the one build this
// process runs: AVX-512 where the CPU has it (x86-64-v4: F, CD, BW, DQ, VL),
// else the portable kernels at the library's x86-64-v3 baseline. Chosen once,
// at the first call (an environment variable AEGRAPH_ISA=avx2|avx512 forces
// one); each op then pays one indirect call per sample or per range, never per
// element. Double (the gradient checks) runs the portable templates directly.
// Internal to the engine; engine/cpu.hpp is the public side.
#pragma once
#include <cstdint>
#include <string_view>

#include "engine/kernels/adam_scalars.hpp"
#include "engine/kernels/conv_geom.hpp"

namespace aeg::detail {

enum class Isa { avx2, avx512 };

struct IsaKernels {
  Isa isa;
  // im2col.hpp (the stride-1 and stride-2 register kernels on AVX-512)
  void (*im2col)(const ConvGeom& g, const float* img, float* col, float* scratch, const std::int32_t* off);
  void (*col2im)(const ConvGeom& g, const float* col, float* scratch, const std::int32_t* off, bool assign,
                 float* img);
  // conv_direct.hpp
  void (*direct_conv_fwd)(const ConvGeom& g, std::int64_t O, const float* img, const float* w, const float* b,
                          float* out);
  void (*direct_conv_dw)(const ConvGeom& g, std::int64_t O, const float* gy, const float* img, bool first, float* dw);
  void (*direct_conv_dx)(const ConvGeom& g, std::int64_t O, const float* w, const float* gy, float* dimg);
  // mvec_kernels.hpp (libmvec's expf and log1pf on 8 or 16 lanes: not the same bits)
  double (*bce_logits_sum)(const float* logits, const float* x, std::int64_t n);
  void (*bce_logits_grad)(const float* logits, const float* x, float g, bool assign, float* ga, std::int64_t n);
  void (*sigmoid_values)(const float* x, float* y, std::int64_t n);
  // max_pool_rows.hpp
  void (*max2x2_rows)(const float* x, std::int64_t W, std::int64_t rows, std::int64_t cols, std::int64_t OW, float* y,
                      float* a);
  // adam_pass.hpp (with or without weight decay)
  void (*adam_pass)(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamScalars<float>& k,
                    bool decay);
};

// Each build's table (kernel_table.cpp, kernel_table_avx512.cpp). Calling the
// AVX-512 one on a CPU without AVX-512 faults: go through kernels().
extern const IsaKernels kernels_avx2;
extern const IsaKernels kernels_avx512;

// Whether this CPU (and its OS) runs the AVX-512 build.
bool cpu_has_avx512();

// The build this process runs. Throws std::runtime_error, at every call, if
// AEGRAPH_ISA names an unknown path or one this CPU cannot run.
const IsaKernels& kernels();

std::string_view isa_name(Isa isa);

}  // namespace aeg::detail
