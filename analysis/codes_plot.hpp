// ae-encode --plot: the codes of a split as a scatter plot coloured by class,
// with a legend of the class names (or numbers), axes named by code unit, and a
// code wider than 2 drawn on its first two principal components.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "plot/figure.hpp"

namespace aeg::analysis {

struct CodesToPlot {
  std::vector<float> codes;                // n x code, row-major
  std::int64_t n = 0, code = 0;
  std::vector<std::int32_t> labels;        // n, or empty
  std::vector<std::string> class_names;    // the file's; empty: classes are shown by number
  std::string checkpoint, split, model;
  bool variational = false;                // the codes are the means mu
};

plot::Figure codes_figure(const CodesToPlot& c);

// The legend's name for label k: class_names[k], or "class k".
std::string class_name(const std::vector<std::string>& class_names, std::int32_t k);

}  // namespace aeg::analysis
