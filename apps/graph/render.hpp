// DOT text laid out and drawn by Graphviz's library (libgvc), when aegraph was
// built with it (Debian libgraphviz-dev); DOT itself needs nothing.
#pragma once
#include <string>

namespace aeg::apps {

// Whether this build can render (found libgvc when it was configured).
bool graphviz_linked();

// The drawing of `dot` in `format` ("svg", "png"), laid out by `dot`. Throws
// std::runtime_error where this build has no Graphviz or Graphviz refuses.
std::string render_dot(const std::string& dot, const std::string& format);

// "svg" or "png" for a path ending so (any case), else "" (write DOT).
std::string render_format_of(const std::string& path);

}  // namespace aeg::apps
