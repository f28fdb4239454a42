// The model options every app that builds a model understands (ae-train, ae-graph):
// --model NAME picks a recipe, the rest override its fields.
#pragma once
#include <boost/program_options.hpp>

#include "zoo/spec.hpp"

namespace aeg::apps {

void add_model_options(boost::program_options::options_description& desc);
// The model for data of `features` columns, images of `image_shape` (C,H,W) or
// flat (empty): the recipe is worked out for that shape first, then the options
// override it, and the result is checked against that shape. Throws
// std::invalid_argument naming the option on a bad value.
zoo::ModelSpec spec_from_options(const boost::program_options::variables_map& vm, std::int64_t features,
                                 const std::vector<std::int64_t>& image_shape);
// The same for the recipes' default data, 1 x 28 x 28 images.
zoo::ModelSpec spec_from_options(const boost::program_options::variables_map& vm);
// "3,32,32" or "3x32x32" -> {3, 32, 32}; throws std::invalid_argument naming `option`.
std::vector<std::int64_t> parse_image_shape(const std::string& option, const std::string& text);
// True if any option other than --model was given (a resumed run must not change the model).
bool model_overrides_given(const boost::program_options::variables_map& vm);

}  // namespace aeg::apps
