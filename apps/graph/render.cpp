#include "apps/graph/render.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#ifdef AEGRAPH_GRAPHVIZ
#include <graphviz/gvc.h>
#endif

namespace aeg::apps {

std::string render_format_of(const std::string& path) {
  const auto dot = path.rfind('.');
  if (dot == std::string::npos) return {};
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == "svg" || ext == "png" ? ext : std::string();
}

#ifdef AEGRAPH_GRAPHVIZ

bool graphviz_linked() { return true; }

namespace {

// gvRenderData's length is unsigned int before Graphviz 2.46 (Debian 12 has 2.42)
// and size_t after: take whichever this header declares.
template <class Length>
std::string render_data(int (*render)(GVC_t*, graph_t*, const char*, char**, Length*), GVC_t* gvc, graph_t* g,
                        const std::string& format) {
  char* data = nullptr;
  Length length = 0;
  if (render(gvc, g, format.c_str(), &data, &length) != 0 || !data)
    throw std::runtime_error("Graphviz cannot draw " + format + " (is its " + format + " plugin installed?)");
  std::string out(data, static_cast<std::size_t>(length));
  gvFreeRenderData(data);
  return out;
}

// One context for the whole process: Graphviz 2.42's text measuring keeps the last
// font name across contexts, and reads it freed after a second context is made
// (AddressSanitizer found it drawing the stepper's SVG and then --out's).
GVC_t* context() {
  static const std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
  if (!gvc) throw std::runtime_error("Graphviz: no context");
  return gvc.get();
}

}  // namespace

std::string render_dot(const std::string& dot, const std::string& format) {
  GVC_t* const gvc = context();
  std::unique_ptr<graph_t, int (*)(graph_t*)> g(agmemread(dot.c_str()), agclose);
  if (!g) throw std::runtime_error("Graphviz cannot read the DOT text");
  if (gvLayout(gvc, g.get(), "dot") != 0) throw std::runtime_error("Graphviz cannot lay out the graph");
  std::string out;
  try {
    out = render_data(&gvRenderData, gvc, g.get(), format);
  } catch (...) {
    gvFreeLayout(gvc, g.get());
    throw;
  }
  gvFreeLayout(gvc, g.get());
  return out;
}

#else

bool graphviz_linked() { return false; }

std::string render_dot(const std::string&, const std::string& format) {
  throw std::runtime_error("this ae-graph was built without Graphviz's library, so it writes DOT only: "
                           "install libgraphviz-dev and rebuild for " + format + ", or run dot -T" + format);
}

#endif

}  // namespace aeg::apps
