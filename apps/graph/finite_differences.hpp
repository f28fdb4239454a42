// The tutorial's check of backprop: every gradient the traced backward pass
// found, element by element, beside the central difference of the output in
// double precision, (f(v + eps) - f(v - eps)) / (2 eps), one forward pass each.
//
//   dloss/denc0/W[0]   backprop 0.163122   finite differences 0.163122
#pragma once
#include <iosfwd>

#include "engine/executor.hpp"

namespace aeg::apps {

// `traced`: after forward() and backward() of a plan with one scalar output;
// `params`: its parameters. Prints one line per element of every parameter and
// every input that takes a gradient. The random ops replay `seed` every pass.
void print_finite_differences(std::ostream& os, const Executor<float>& traced, const ParamStore<float>& params,
                              std::uint64_t seed, double eps = 1e-6);

}  // namespace aeg::apps
