// Shapes and the plain contiguous tensor that crosses aegraph's public API.
// (xtensor views of it live in engine/xt.hpp, so this header stays light.)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aeg {

using Shape = std::vector<std::int64_t>;

std::int64_t numel(const Shape& s);
std::string to_string(const Shape& s);  // "[256, 784]"

// NumPy broadcasting of two shapes; throws std::invalid_argument naming both.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Row-major, contiguous, owning.
template <class T>
struct Tensor {
  Shape shape;
  std::vector<T> data;

  Tensor() = default;
  explicit Tensor(Shape s, T fill = T(0)) : shape(std::move(s)), data(numel(shape), fill) {}
  Tensor(Shape s, std::vector<T> d);  // checks d.size() == numel(s)

  std::int64_t size() const { return static_cast<std::int64_t>(data.size()); }
  T* ptr() { return data.data(); }
  const T* ptr() const { return data.data(); }
  T& operator[](std::int64_t i) { return data[static_cast<std::size_t>(i)]; }
  const T& operator[](std::int64_t i) const { return data[static_cast<std::size_t>(i)]; }
};

template <class To, class From>
Tensor<To> tensor_cast(const Tensor<From>& t) {
  Tensor<To> r;
  r.shape = t.shape;
  r.data.assign(t.data.begin(), t.data.end());
  return r;
}

}  // namespace aeg
