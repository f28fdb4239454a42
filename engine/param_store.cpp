#include "engine/param_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/init.hpp"

namespace aeg {

template <class T>
void ParamStore<T>::init_from(const Graph& g, Rng& rng) {
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    if (n.kind != NodeKind::Param) continue;
    if (contains(n.name)) {
      if (at(n.name).value.shape != n.shape)
        throw std::invalid_argument("parameter '" + n.name + "' has shape " +
                                    to_string(at(n.name).value.shape) + " in the store but " +
                                    to_string(n.shape) + " in the graph");
      continue;
    }
    Tensor<T> v(n.shape);
    initialise(v, n.init, rng);
    add(n.name, std::move(v));
  }
}

template <class T>
typename ParamStore<T>::Entry& ParamStore<T>::add(const std::string& name, Tensor<T> value) {
  if (contains(name)) throw std::invalid_argument("parameter '" + name + "' already exists");
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->grad = Tensor<T>(value.shape);
  e->value = std::move(value);
  index_[name] = entries_.size();
  entries_.push_back(std::move(e));
  return *entries_.back();
}

template <class T>
typename ParamStore<T>::Entry& ParamStore<T>::at(const std::string& name) {
  auto it = index_.find(name);
  if (it == index_.end()) throw std::out_of_range("no parameter named '" + name + "'");
  return *entries_[it->second];
}

template <class T>
const typename ParamStore<T>::Entry& ParamStore<T>::at(const std::string& name) const {
  return const_cast<ParamStore*>(this)->at(name);
}

template <class T>
void ParamStore<T>::zero_grad() {
  for (auto& e : entries_) std::fill(e->grad.data.begin(), e->grad.data.end(), T(0));
}

template <class T>
std::int64_t ParamStore<T>::count() const {
  std::int64_t n = 0;
  for (const auto& e : entries_) n += e->value.size();
  return n;
}

template class ParamStore<float>;
template class ParamStore<double>;

}  // namespace aeg
