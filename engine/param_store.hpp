// Trainable values by name, outside any graph, so a training graph and an
// evaluation graph (of another batch size) share them.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/graph.hpp"
#include "engine/rng.hpp"
#include "engine/tensor.hpp"

namespace aeg {

template <class T>
class ParamStore {
 public:
  struct Entry {
    std::string name;
    Tensor<T> value;
    Tensor<T> grad;
  };

  // Adds every parameter the graph declares that the store lacks, initialised
  // from rng in declaration order; checks the shape of those it has.
  void init_from(const Graph& g, Rng& rng);
  Entry& add(const std::string& name, Tensor<T> value);  // throws if the name exists

  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  Entry& at(const std::string& name);  // throws naming the missing parameter
  const Entry& at(const std::string& name) const;
  std::size_t size() const { return entries_.size(); }
  // In the order parameters were added (stable: pointers into entries never move).
  Entry& operator[](std::size_t i) { return *entries_[i]; }
  const Entry& operator[](std::size_t i) const { return *entries_[i]; }

  void zero_grad();
  std::int64_t count() const;  // total number of scalars

 private:
  std::vector<std::unique_ptr<Entry>> entries_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace aeg
