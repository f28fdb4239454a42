// Delimited text files of numbers, plain or gzip-compressed, read a row at a
// time: a first line with any non-numeric cell is a header (its cells name the
// columns), every other cell must be a number, every row as wide as the first.
// Errors name the file, the line and the column: "data.csv:7: column 3
// (radius) is 'x', expected a number".
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aeg::io {

class CsvReader {
 public:
  // delimiter: one character; ' ' splits on runs of spaces and tabs.
  CsvReader(const std::string& path, char delimiter = ',');
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The next data row (blank lines are skipped); false at the end of the file.
  bool next(std::vector<double>& values);

  const std::vector<std::string>& header() const;  // the header's cells, empty without one
  std::int64_t columns() const;                    // -1 until the first data row
  std::string where() const;                       // "path:line" of the last line read
  std::string column(std::int64_t i) const;        // "column 3" or "column 3 (radius)"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "," ";" "|" or any one character, "tab" (or "\t"), "space" (runs of blanks).
// Throws std::invalid_argument naming the value.
char parse_delimiter(const std::string& s);

}  // namespace aeg::io
