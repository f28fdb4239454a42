#include "engine/tensor.hpp"

#include <algorithm>
#include <stdexcept>

namespace aeg {

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string to_string(const Shape& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) r += ", ";
    r += std::to_string(s[i]);
  }
  return r + "]";
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape r(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const std::int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument("shapes " + to_string(a) + " and " + to_string(b) +
                                  " do not broadcast");
    r[i] = da == 1 ? db : da;
  }
  return r;
}

template <class T>
Tensor<T>::Tensor(Shape s, std::vector<T> d) : shape(std::move(s)), data(std::move(d)) {
  if (static_cast<std::int64_t>(data.size()) != numel(shape))
    throw std::invalid_argument("tensor of shape " + to_string(shape) + " needs " +
                                std::to_string(numel(shape)) + " values, got " +
                                std::to_string(data.size()));
}

template struct Tensor<float>;
template struct Tensor<double>;

}  // namespace aeg
