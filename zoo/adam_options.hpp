// A recipe's optimiser settings (weight decay, and whether the biases take it)
// as Adam's options: one mapping for every program that trains a spec.
#pragma once
#include "engine/optim.hpp"
#include "zoo/spec.hpp"

namespace aeg::zoo {

inline AdamOptions adam_options(const ModelSpec& spec, double lr, int threads = 1) {
  return {.lr = lr, .weight_decay = spec.weight_decay, .decay_biases = spec.decay_biases, .threads = threads};
}

}  // namespace aeg::zoo
