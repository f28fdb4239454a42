// Small HDF5 files of named arrays that apps write for users to read with h5py
// or h5dump: codes from ae-encode, per-sample scores from ae-eval --anomaly.
// Written whole or not at all (temp file, then rename).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor.hpp"

namespace aeg::io {

struct ArraysFile {
  std::vector<std::pair<std::string, Tensor<float>>> floats;         // "/codes" -> N x code
  std::vector<std::pair<std::string, std::vector<std::int32_t>>> ints;  // "/labels" -> N
  std::vector<std::pair<std::string, std::string>> attributes;        // on the root group
  std::vector<std::pair<std::string, double>> numbers;                // on the root group
};

void write_arrays(const std::string& path, const ArraysFile& arrays);

// Reads one float32 dataset back (any rank). Throws DataError naming file and dataset.
Tensor<float> read_float_array(const std::string& path, const std::string& dataset);

}  // namespace aeg::io
