// Float kernels of bce_with_logits, vectorised through glibc's libmvec (expf,
// log1pf on whole registers): the scalar libm calls made BCE the largest cost
// of a shallow autoencoder's step. Internal to engine/ops.
#pragma once
#include <cstdint>

namespace aeg::detail {

// sum over i in [0, n) of max(l, 0) - l x + log1p(exp(-|l|)), accumulated in double.
double bce_logits_sum(const float* logits, const float* x, std::int64_t n);
// ga[i] += g * (sigmoid(l[i]) - x[i]), or = when assign.
void bce_logits_grad(const float* logits, const float* x, float g, bool assign, float* ga, std::int64_t n);

}  // namespace aeg::detail
