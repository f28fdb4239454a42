// The model options every app that builds a model understands (ae-train, ae-graph):
// --model NAME picks a recipe, the rest override its fields.
#pragma once
#include <boost/program_options.hpp>

#include "zoo/spec.hpp"

namespace aeg::apps {

void add_model_options(boost::program_options::options_description& desc);
// Throws std::invalid_argument naming the option on a bad value.
zoo::ModelSpec spec_from_options(const boost::program_options::variables_map& vm);
// True if any option other than --model was given (a resumed run must not change the model).
bool model_overrides_given(const boost::program_options::variables_map& vm);

}  // namespace aeg::apps
