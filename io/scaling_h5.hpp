// PRIVATE to aegraph_io (it pulls in hdf5.h): a FeatureScaling as the group
// /scaling of a dataset file or a checkpoint:
//   /scaling            attribute `method` ("minmax" or "standard")
//   /scaling/offset     float64, one per feature
//   /scaling/scale      float64, one per feature
// The model sees (value - offset) / scale.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>

#include "io/scaling.hpp"

namespace aeg::io {

// Writes nothing for an empty scaling.
void write_scaling(hid_t file, const FeatureScaling& s, const std::string& context);

// An empty scaling when the file has no /scaling; otherwise checked against
// `features`. Errors name `path`, /scaling and the expectation.
FeatureScaling read_scaling(hid_t file, std::int64_t features, const std::string& path);

}  // namespace aeg::io
