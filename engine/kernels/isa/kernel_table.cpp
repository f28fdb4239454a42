// One build's table of float kernels (engine/kernels/isa/kernels.hpp): compiled as it
// is for the library's x86-64-v3 baseline, and included by
// kernel_table_avx512.cpp for AVX-512. The kernels' code is written once, in
// the headers below; their `#if defined(AEG_ISA_AVX512)` branches are what
// the AVX-512 build adds.
#include "engine/kernels/isa/isa_namespace.hpp"
#include "engine/kernels/adam_pass.hpp"
#include "engine/kernels/isa/kernels.hpp"
#include "engine/kernels/conv_direct.hpp"
#include "engine/kernels/im2col.hpp"
#include "engine/kernels/max_pool_rows.hpp"
#include "engine/kernels/mvec_kernels.hpp"

#define AEG_ISA_TABLE_(isa) kernels_##isa
#define AEG_ISA_TABLE(isa) AEG_ISA_TABLE_(isa)

namespace aeg::detail {

extern const IsaKernels AEG_ISA_TABLE(AEG_ISA) = {
    Isa::AEG_ISA,
    &im2col<float>,
    &col2im<float>,
    &direct_conv_fwd<float>,
    &direct_conv_dw<float>,
    &direct_conv_dx<float>,
    &bce_logits_sum,
    &bce_logits_grad,
    &sigmoid_values,
    &max2x2_rows<float>,
    &adam_pass_float,
};

}  // namespace aeg::detail
