// Float kernels vectorised through glibc's libmvec (expf, log1pf on whole
// registers): bce_with_logits and the sigmoid, whose scalar libm calls were the
// largest costs of a shallow autoencoder's step. Every element's bits are the
// same wherever a thread's chunk of the range starts. Ops call them through the
// table of the CPU's build (engine/kernels/isa/kernels.hpp). Internal to engine/ops.
#pragma once
#include "engine/kernels/isa/isa_namespace.hpp"
#include <cstdint>

namespace aeg::detail::inline AEG_ISA {

// sum over i in [0, n) of max(l, 0) - l x + log1p(exp(-|l|)), accumulated in double
// (16 lane sums, then their total: a fixed order for a given n).
double bce_logits_sum(const float* logits, const float* x, std::int64_t n);
// ga[i] += g * (sigmoid(l[i]) - x[i]), or = when assign.
void bce_logits_grad(const float* logits, const float* x, float g, bool assign, float* ga, std::int64_t n);
// y[i] = sigmoid(x[i]) for i in [0, n).
void sigmoid_values(const float* x, float* y, std::int64_t n);

}  // namespace aeg::detail::inline AEG_ISA
