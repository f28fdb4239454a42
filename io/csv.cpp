#include "io/csv.hpp"

#include <zlib.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "io/error.hpp"

namespace aeg::io {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view f) {
  while (!f.empty() && blank(f.front())) f.remove_prefix(1);
  while (!f.empty() && blank(f.back())) f.remove_suffix(1);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);  // "name"
  return f;
}

void split(const std::string& line, char delimiter, std::vector<std::string_view>& out) {
  out.clear();
  const std::string_view s(line);
  if (delimiter == ' ') {  // runs of blanks
    std::size_t b = 0;
    for (;;) {
      while (b < s.size() && blank(s[b])) ++b;
      if (b == s.size()) return;
      std::size_t e = b;
      while (e < s.size() && !blank(s[e])) ++e;
      out.push_back(s.substr(b, e - b));
      b = e;
    }
  }
  std::size_t b = 0;
  for (;;) {
    const std::size_t e = std::min(s.find(delimiter, b), s.size());
    out.push_back(trim(s.substr(b, e - b)));
    if (e == s.size()) return;
    b = e + 1;
  }
}

bool parse_number(std::string_view f, double& v) {
  if (f.empty()) return false;
  if (f[0] == '+') f.remove_prefix(1);
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  return ec == std::errc() && p == f.data() + f.size();
}

}  // namespace

struct CsvReader::Impl {
  std::string path;
  char delimiter;
  gzFile file = nullptr;  // zlib reads plain files through as they are
  std::int64_t lineno = 0, columns = -1;
  bool first = true;
  std::string line;
  std::vector<std::string_view> fields;
  std::vector<std::string> header;

  ~Impl() {
    if (file) gzclose(file);
  }

  // One line into `line`, without its '\n'; false at the end.
  bool read_line() {
    line.clear();
    char buf[1 << 14];
    for (;;) {
      if (!gzgets(file, buf, sizeof buf)) {
        int err = 0;
        const char* msg = gzerror(file, &err);
        if (err != Z_OK && err != Z_STREAM_END) throw DataError(path + ": read failed (" + msg + ")");
        if (line.empty()) return false;
        break;
      }
      line += buf;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        break;
      }
    }
    ++lineno;
    return true;
  }
};

CsvReader::CsvReader(const std::string& path, char delimiter) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->delimiter = delimiter;
  if (!std::filesystem::exists(path)) throw DataError(path + ": no such file");
  impl_->file = gzopen(path.c_str(), "rb");
  if (!impl_->file) throw DataError(path + ": cannot open for reading");
  gzbuffer(impl_->file, 1 << 17);
}

CsvReader::~CsvReader() = default;

bool CsvReader::next(std::vector<double>& values) {
  Impl& m = *impl_;
  while (m.read_line()) {
    if (m.line.find_first_not_of(" \t\r") == std::string::npos) continue;
    split(m.line, m.delimiter, m.fields);
    values.resize(m.fields.size());
    std::size_t bad = m.fields.size();
    for (std::size_t i = 0; i < m.fields.size() && bad == m.fields.size(); ++i)
      if (!parse_number(m.fields[i], values[i])) bad = i;
    if (bad != m.fields.size()) {
      if (m.first) {  // a header line
        m.first = false;
        for (auto f : m.fields) m.header.emplace_back(f);
        continue;
      }
      throw DataError(where() + ": " + column(static_cast<std::int64_t>(bad)) + " is '" + std::string(m.fields[bad]) +
                      "', expected a number");
    }
    m.first = false;
    const auto n = static_cast<std::int64_t>(values.size());
    if (m.columns < 0) m.columns = n;
    if (n != m.columns)
      throw DataError(where() + ": " + std::to_string(n) + " columns, expected " + std::to_string(m.columns) +
                      " like the first data line");
    return true;
  }
  return false;
}

const std::vector<std::string>& CsvReader::header() const { return impl_->header; }
std::int64_t CsvReader::columns() const { return impl_->columns; }
std::string CsvReader::where() const { return impl_->path + ":" + std::to_string(impl_->lineno); }

std::string CsvReader::column(std::int64_t i) const {
  const auto& h = impl_->header;
  std::string s = "column " + std::to_string(i);
  // Only a header as wide as the data names its columns.
  if (i >= 0 && i < static_cast<std::int64_t>(h.size()) &&
      (impl_->columns < 0 || static_cast<std::int64_t>(h.size()) == impl_->columns) && !h[static_cast<std::size_t>(i)].empty())
    s += " (" + h[static_cast<std::size_t>(i)] + ")";
  return s;
}

char parse_delimiter(const std::string& s) {
  if (s == "tab" || s == "\\t" || s == "\t") return '\t';
  if (s == "space" || s == "whitespace" || s == " ") return ' ';
  if (s.size() == 1 && std::ispunct(static_cast<unsigned char>(s[0])) && std::string(".-+\"").find(s[0]) == std::string::npos)
    return s[0];
  throw std::invalid_argument("delimiter '" + s + "': expected one character that cannot be part of a number "
                              "(',', ';', '|', ...), 'tab' or 'space'");
}

}  // namespace aeg::io
