// k-sparse codes (Makhzani & Frey): per row, keep the k largest units.
#include <algorithm>
#include <memory>
#include <numeric>

#include "engine/kernels/parallel.hpp"
#include "engine/ops.hpp"

namespace aeg {
namespace {

class KSparseOp : public OpImpl<KSparseOp> {
 public:
  explicit KSparseOp(std::int64_t k) : k_(k) {}
  std::string_view name() const override { return "k_sparse"; }
  std::string attrs() const override { return "k=" + std::to_string(k_); }
  Shape infer(const std::vector<Shape>& in) const override {
    const Shape& s = in.at(0);
    if (s.size() != 2) throw std::invalid_argument("expects a 2-D (batch, units) input, got " + to_string(s));
    if (k_ < 1 || k_ > s[1])
      throw std::invalid_argument("k = " + std::to_string(k_) + " must be between 1 and " + std::to_string(s[1]));
    return s;
  }
  Saves saves() const override { return {}; }
  // The 0/1 mask of kept units, for backward.
  std::int64_t aux_size(const std::vector<Shape>& in, const Shape&) const override { return numel(in[0]); }

  template <class T>
  void fwd(const OpCtx<T>& c) const {
    const std::int64_t rows = (*c.in_shape[0])[0], cols = (*c.in_shape[0])[1];
    const T* x = c.in[0];
    c.par->for_range(rows, 16, [&](std::int64_t r0, std::int64_t r1) {
      std::vector<std::int64_t> idx(static_cast<std::size_t>(cols));
      for (std::int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * cols;
        std::iota(idx.begin(), idx.end(), 0);
        std::nth_element(idx.begin(), idx.begin() + (k_ - 1), idx.end(), [&](std::int64_t a, std::int64_t b) {
          return xr[a] != xr[b] ? xr[a] > xr[b] : a < b;
        });
        T* mr = c.aux + r * cols;
        std::fill(mr, mr + cols, T(0));
        for (std::int64_t j = 0; j < k_; ++j) mr[idx[static_cast<std::size_t>(j)]] = T(1);
        T* yr = c.out + r * cols;
        for (std::int64_t j = 0; j < cols; ++j) yr[j] = xr[j] * mr[j];
      }
    });
  }
  template <class T>
  void bwd(const OpCtx<T>& c) const {
    if (!c.gin[0]) return;
    const std::int64_t n = c.out_size();
    c.par->for_range(n, 1 << 14, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) c.gin[0][i] += c.gout[i] * c.aux[i];
    });
  }

 private:
  std::int64_t k_;
};

}  // namespace

Var k_sparse(Var h, std::int64_t k) { return h.graph().apply(std::make_shared<KSparseOp>(k), {h}); }

}  // namespace aeg
