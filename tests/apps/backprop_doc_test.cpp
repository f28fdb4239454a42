// docs/backprop.md cannot drift from the programs it quotes: every block of
// output in it, under "<!-- output of: COMMAND -->", must be lines the command
// prints now, in order and together; and every decimal number in its prose must
// be one those commands print.
#include <catch2/catch.hpp>

#include <cctype>
#include <regex>

#include "tests/apps/support.hpp"

using namespace aeg::test;
namespace fs = std::filesystem;

namespace {

struct DocCheck {
  int blocks = 0, numbers = 0;
  std::vector<std::string> problems;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// Whether `want` is a run of consecutive lines of `got`.
bool contains_lines(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  if (want.empty()) return false;
  for (std::size_t i = 0; i + want.size() <= got.size(); ++i)
    if (std::equal(want.begin(), want.end(), got.begin() + static_cast<std::ptrdiff_t>(i))) return true;
  return false;
}

// Whether `number` ("0.5", "-1.5") stands in `text` as a whole number, not as a
// piece of one ("10.5", "0.55"); an unsigned one may stand signed.
bool contains_number(const std::string& text, const std::string& number) {
  for (std::size_t at = text.find(number); at != std::string::npos; at = text.find(number, at + 1)) {
    const char before = at ? text[at - 1] : ' ';
    const std::size_t end = at + number.size();
    const char after = end < text.size() ? text[end] : ' ';
    const bool after_ok = !std::isdigit(static_cast<unsigned char>(after)) && after != 'e' &&
                          !(after == '.' && end + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[end + 1])));
    if (!std::isdigit(static_cast<unsigned char>(before)) && before != '.' && after_ok) return true;
  }
  return false;
}

// `run_command` runs a command line of the doc and gives back what it printed.
DocCheck check_doc(const std::string& markdown, const std::function<std::string(const std::string&)>& run_command) {
  static const std::regex output_of(R"(^<!-- output of: (.*) -->$)");
  static const std::regex number(R"((^|[^0-9A-Za-z_.])(-?[0-9]+\.[0-9]+(e-?[0-9]+)?))");
  DocCheck c;
  std::string printed;  // everything the doc's commands print
  std::vector<std::string> prose;
  std::string command;       // of the block to come
  bool fenced = false;
  std::vector<std::string> block;
  std::string block_command;
  std::smatch m;
  for (const std::string& line : lines_of(markdown)) {
    if (line.rfind("```", 0) == 0) {
      if (!fenced) {
        block_command = command;
        command.clear();
        block.clear();
      } else if (!block_command.empty()) {
        ++c.blocks;
        const std::string out = run_command(block_command);
        printed += out;
        if (!contains_lines(lines_of(out), block))
          c.problems.push_back("the block under '" + block_command + "' is not what it prints now:\n" + out);
      }
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      block.push_back(line);
    } else if (std::regex_match(line, m, output_of)) {
      command = m[1];
    } else {
      prose.push_back(std::regex_replace(line, std::regex("<!--.*?-->"), ""));
    }
  }
  if (fenced) c.problems.push_back("a code block is never closed");
  for (const std::string& line : prose)
    for (auto it = std::sregex_iterator(line.begin(), line.end(), number); it != std::sregex_iterator(); ++it) {
      ++c.numbers;
      const std::string n = (*it)[2];
      if (!contains_number(printed, n)) c.problems.push_back("the prose's " + n + " is printed by none of the doc's commands");
    }
  return c;
}

// The doc's commands name ae-graph as a user would; here it is the built one, run
// in a folder of its own, on the AVX2 kernels. A build without Graphviz's library draws DOT instead.
std::string run_doc_command(const TempDir& dir, std::string command) {
  if (command.rfind("ae-graph ", 0) != 0) return "(not an ae-graph command: " + command + ")";
#ifndef AEGRAPH_GRAPHVIZ
  command = std::regex_replace(command, std::regex(R"(\.(svg|png)\b)"), ".dot");
#endif
  // The AVX2 kernels, which every supported CPU runs: the AVX-512 ones may round
  // a sigmoid's last bit otherwise, and the doc's numbers are the same everywhere.
  const Run r = run("cd " + dir.path.string() + " && AEGRAPH_ISA=avx2 " + kGraph + command.substr(8));
  return r.code == 0 ? r.out : "(exit " + std::to_string(r.code) + ") " + r.out;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("docs/backprop.md quotes what its commands print now, every number", "[apps][docs]") {
  const std::string doc = slurp(std::string(AEGRAPH_SOURCE_DIR) + "/docs/backprop.md");
  REQUIRE(!doc.empty());
  TempDir dir;
  const DocCheck c = check_doc(doc, [&](const std::string& cmd) { return run_doc_command(dir, cmd); });
  for (const std::string& p : c.problems) FAIL_CHECK(p);
  // The tutorial's walk: the neuron, the tied autoencoder, finite differences, the VAE.
  CHECK(c.blocks >= 4);
  CHECK(c.numbers >= 20);
}

TEST_CASE("the doc check finds a changed number, a changed line and an unknown command", "[apps][docs]") {
  auto fake = [](const std::string& cmd) { return cmd == "ae-graph --a" ? std::string("x = 0.5\ny = -1.25\n") : "other\n"; };
  const std::string good = "Here 0.5 and 1.25, not 2.\n<!-- output of: ae-graph --a -->\n```text\nx = 0.5\ny = -1.25\n```\n";
  const DocCheck ok = check_doc(good, fake);
  CHECK(ok.problems.empty());
  CHECK(ok.blocks == 1);
  CHECK(ok.numbers == 2);
  CHECK(check_doc(std::regex_replace(good, std::regex("Here 0.5"), "Here 0.55"), fake).problems.size() == 1);
  CHECK(check_doc(std::regex_replace(good, std::regex("Here 0.5"), "Here 10.5"), fake).problems.size() == 1);
  CHECK(check_doc(std::regex_replace(good, std::regex("y = -1.25\n```"), "y = -1.26\n```"), fake).problems.size() == 1);
  CHECK(check_doc(std::regex_replace(good, std::regex("x = 0.5\ny"), "y = -1.25\nx"), fake).problems.size() == 1);
  CHECK(check_doc(std::regex_replace(good, std::regex("--a"), "--b"), fake).problems.size() == 3);
  CHECK(check_doc("<!-- output of: ae-graph --a -->\n```text\nx = 0.5\n", fake).problems.size() == 1);
}
