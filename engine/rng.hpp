// The seeded generator behind initialisers and random ops. Its whole state is a
// string, so checkpoints and gradient checks can replay a run exactly.
#pragma once
#include <cstdint>
#include <random>
#include <string>

namespace aeg {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : engine_(seed) {}

  double uniform();                       // [0, 1)
  double uniform(double lo, double hi);   // [lo, hi)
  double normal();                        // standard normal (Box-Muller, no cached spare)
  std::uint64_t next() { return engine_(); }
  std::uint64_t below(std::uint64_t n);   // uniform integer in [0, n)

  std::string state() const;
  void set_state(const std::string& s);   // throws std::invalid_argument on a bad string

 private:
  std::mt19937_64 engine_;
};

}  // namespace aeg
