// A trained model's two halves as functions on whole arrays, in evaluation
// plans and fixed-size batches: x -> code (mu for a variational model) and
// code -> x_hat. What ae-encode, ae-generate and ae-denoise are made of.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/param_store.hpp"
#include "engine/tensor.hpp"
#include "zoo/spec.hpp"

namespace aeg::analysis {

// x: n x features. labels: one per row for conditional models (else empty).
// Returns n x code.
Tensor<float> encode(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* x,
                     const std::vector<std::int32_t>& labels, std::int64_t n, int threads = 2);

// z: n x code. Returns n x features.
Tensor<float> decode(const zoo::ModelSpec& spec, ParamStore<float>& params, const float* z,
                     const std::vector<std::int32_t>& labels, std::int64_t n, int threads = 2);

}  // namespace aeg::analysis
