#include "apps/graph/stepper_html.hpp"

#include <map>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace aeg::apps {

namespace {

using nlohmann::json;

const char* kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::Input: return "input";
    case NodeKind::Param: return "param";
    case NodeKind::Constant: return "constant";
    case NodeKind::Op: return "op";
  }
  return "?";
}

// The page's data: the plan's nodes (the given values of inputs, parameters and
// constants, which the trace does not print) and the trace's steps, by node id.
json page_data(const std::string& title, const Executor<float>& ex, const std::string& trace) {
  const Plan& plan = ex.plan();
  const Graph& g = plan.graph();
  std::map<std::string, int> id_of;
  json nodes = json::array();
  for (int id = 0; id < g.size(); ++id) {
    if (!plan.live(id)) continue;
    const Node& nd = g.node(id);
    id_of[g.label(id)] = id;
    json n = {{"id", id}, {"label", g.label(id)}, {"kind", kind_name(nd.kind)}, {"shape", to_string(nd.shape)},
              {"op", nd.kind == NodeKind::Op ? std::string(nd.op->name()) : std::string(kind_name(nd.kind))}};
    if (nd.kind != NodeKind::Op)
      n["given"] = trace_values(ex.value_data(Var{const_cast<Graph*>(&g), id}), static_cast<long>(numel(nd.shape)));
    nodes.push_back(n);
  }
  auto id = [&](const std::string& label) {
    const auto it = id_of.find(label);
    if (it == id_of.end()) throw std::invalid_argument("stepper: the trace names '" + label + "', not in the plan");
    return it->second;
  };
  json steps = json::array();
  for (const TraceStep& s : parse_trace(trace)) {
    json adds = json::array();
    for (const auto& a : s.adds) adds.push_back({{"id", id(a.input)}, {"label", a.input}, {"added", a.added}, {"total", a.total}});
    steps.push_back({{"backward", s.backward}, {"number", s.number}, {"id", id(s.node)}, {"label", s.node}, {"op", s.op},
                     {"shown", s.shown}, {"adds", adds}, {"lines", s.lines}});
  }
  return {{"title", title}, {"nodes", nodes}, {"steps", steps}};
}

// JSON inside <script>: "</" would end the element early.
std::string script_safe(const std::string& s) {
  std::string r;
  for (std::size_t i = 0; i < s.size(); ++i) {
    r += s[i];
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') r += "\\";
  }
  return r;
}

// The <svg> element alone: Graphviz's XML prolog and DOCTYPE are not allowed inside HTML.
std::string svg_element(const std::string& svg) {
  const auto at = svg.find("<svg");
  return at == std::string::npos ? std::string() : svg.substr(at);
}

const char* const kStyle = R"CSS(
body { font-family: Helvetica, Arial, sans-serif; margin: 1em 2em; color: #212529; }
h1 { font-size: 1.3em; }
#controls button { font-size: 1em; padding: 0.3em 1em; margin-right: 0.5em; }
#where { font-weight: bold; margin-left: 1em; }
#current { background: #f8f9fa; border: 1px solid #dee2e6; padding: 0.6em; min-height: 3em; white-space: pre; overflow-x: auto; }
#layout { display: flex; gap: 2em; align-items: flex-start; }
#drawing { flex: 0 0 62%; min-width: 0; }
#drawing svg { width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border: 1px solid #dee2e6; padding: 0.2em 0.4em; text-align: left; font-family: monospace; }
td:nth-child(3) { white-space: nowrap; }
tr.current td { background: #fff3bf; }
tr.receives td { background: #fdecea; }
g.node.current polygon, g.node.current path { stroke: #f08c00; stroke-width: 4; }
g.node.receives polygon, g.node.receives path { stroke: #c0392b; stroke-width: 4; }
)CSS";

const char* const kScript = R"JS(
const nodes = new Map(data.nodes.map(n => [n.id, n]));
const steps = data.steps;
let at = 0;  // steps applied

// Values and gradients of every node after the first k steps.
function stateAfter(k) {
  const value = new Map(), grad = new Map();
  for (const n of data.nodes) if (n.given !== undefined) value.set(n.id, n.given);
  for (const s of steps.slice(0, k)) {
    if (!s.backward) { value.set(s.id, s.shown); continue; }
    if (s.number === 0) grad.set(s.id, s.shown);
    for (const a of s.adds) grad.set(a.id, a.total !== "" ? a.total : a.added);
  }
  return { value, grad };
}

function svgNodes() {
  const byTitle = new Map();
  for (const g of document.querySelectorAll("#drawing g.node")) {
    const t = g.querySelector("title");
    if (t) byTitle.set(t.textContent, g);
  }
  return byTitle;
}
const drawn = svgNodes();

function show(k) {
  at = Math.max(0, Math.min(steps.length, k));
  const s = at > 0 ? steps[at - 1] : null;
  const { value, grad } = stateAfter(at);
  const receives = new Set(s ? s.adds.map(a => a.id) : []);
  document.getElementById("where").textContent = s
    ? `step ${at} of ${steps.length}: ` + (s.backward ? (s.number ? `backward ${s.number}` : "backward seed") : `forward ${s.number}`)
    : `step 0 of ${steps.length}: press Next (or the right arrow)`;
  document.getElementById("current").textContent = s ? s.lines.join("\n") : "";
  const rows = [];
  for (const n of data.nodes) {
    const cls = s && n.id === s.id ? "current" : receives.has(n.id) ? "receives" : "";
    rows.push(`<tr class="${cls}" data-node="${n.id}"><td>${esc(n.label)}</td><td>${esc(n.op)}</td><td>${esc(n.shape)}</td>` +
              `<td class="value">${esc(value.get(n.id) ?? "")}</td><td class="grad">${esc(grad.get(n.id) ?? "")}</td></tr>`);
  }
  document.getElementById("rows").innerHTML = rows.join("");
  for (const g of drawn.values()) g.classList.remove("current", "receives");
  if (s) {
    const mark = (key, cls) => { const g = drawn.get(key); if (g) g.classList.add(cls); };
    mark("n" + s.id, "current");
    if (s.backward) mark("g" + s.id, "current");
    for (const id of receives) mark("g" + id, "receives");
  }
  document.documentElement.dataset.step = String(at);
}

function esc(t) { return String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }

document.getElementById("next").onclick = () => show(at + 1);
document.getElementById("prev").onclick = () => show(at - 1);
document.getElementById("first").onclick = () => show(0);
document.getElementById("last").onclick = () => show(steps.length);
document.addEventListener("keydown", e => {
  if (e.key === "ArrowRight" || e.key === "n" || e.key === " ") { show(at + 1); e.preventDefault(); }
  if (e.key === "ArrowLeft" || e.key === "p") { show(at - 1); e.preventDefault(); }
});
document.title = data.title;
document.getElementById("title").textContent = data.title;
// ?steps=N: open N steps in (a headless browser's check reads the page's state then).
const query = new URLSearchParams(location.search);
show(Number(query.get("steps") || 0));
// ?selftest: press Next through every step, then Previous once, writing down what
// each press shows (the step's lines, the node its table row and its drawing
// highlight) for tests/apps/stepper_browser.sh to compare with the trace.
if (query.has("selftest")) {
  const shown = () => {
    const row = document.querySelector("#rows tr.current td");
    const box = [...document.querySelectorAll("#drawing g.node.current")]
                  .find(g => /^n[0-9]+$/.test(g.querySelector("title").textContent))?.querySelector("text");
    const s = steps[at - 1];
    return `== step ${at}: ${s.label} (row ${row ? row.textContent : "-"}, drawn ${box ? box.textContent : "-"})\n` +
           document.getElementById("current").textContent + "\n";
  };
  let log = "";
  show(0);
  for (let k = 0; k < steps.length; ++k) { document.getElementById("next").click(); log += shown(); }
  document.getElementById("prev").click();
  log += shown();
  const out = document.createElement("pre");
  out.id = "selftest";
  out.textContent = log;
  document.body.appendChild(out);
}
)JS";

}  // namespace

void write_stepper_html(std::ostream& os, const std::string& title, const Executor<float>& ex,
                        const std::string& trace, const std::string& svg) {
  const json data = page_data(title, ex, trace);
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>aegraph stepper</title>\n"
     << "<style>" << kStyle << "</style>\n</head>\n<body>\n"
     << "<h1 id=\"title\"></h1>\n"
     << "<p>Each step runs one node: forward, its value; backward, the gradient arriving at it and what it adds "
        "to each input's gradient (a value used twice receives two additions). Keys: right / left arrow.</p>\n"
     << "<div id=\"controls\"><button id=\"first\">First</button><button id=\"prev\">Previous</button>"
        "<button id=\"next\">Next</button><button id=\"last\">Last</button><span id=\"where\"></span></div>\n"
     << "<pre id=\"current\"></pre>\n<div id=\"layout\">\n<div id=\"drawing\">" << svg_element(svg) << "</div>\n"
     << "<table><thead><tr><th>node</th><th>op</th><th>shape</th><th>value</th><th>gradient so far</th></tr></thead>"
        "<tbody id=\"rows\"></tbody></table>\n</div>\n"
     << "<script>\nconst data = " << script_safe(data.dump()) << ";\n" << kScript << "</script>\n</body>\n</html>\n";
}

}  // namespace aeg::apps
