// The scalars of one Adam step, as its update loop (adam_pass.hpp) takes them.
// Internal to the engine.
#pragma once

namespace aeg::detail {

template <class T>
struct AdamScalars {
  T b1, b2, c1, c2, bc2_sqrt, eps, step_size, wd;
};

}  // namespace aeg::detail
