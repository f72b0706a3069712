#pragma once
// CsvWriter: RFC 4180 CSV files (comma separated, fields with a comma,
// quote, CR or LF quoted with quotes doubled, CRLF-free: rows end in "\n"),
// numbers written with enough digits to read back exactly. For the tables
// `bigpe campaign` and `bigpe eval` write.
//
// Thread-safety: one writer per thread.
#include <fstream>
#include <string>
#include <vector>

namespace bigpe::engine {

std::string csv_field(const std::string& text);
// %.17g trimmed: the shortest text that reads back as the same double.
std::string csv_number(double v);

class CsvWriter {
 public:
  // Throws std::runtime_error naming the path when it cannot be opened.
  CsvWriter(const std::string& path, const std::vector<std::string>& header);
  void row(const std::vector<std::string>& fields);
  // Flushes; throws std::runtime_error naming the path on a write error.
  void close();

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace bigpe::engine
