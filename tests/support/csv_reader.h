#pragma once
// A small RFC 4180 CSV reader for tests: quoted fields may hold commas,
// doubled quotes and newlines. Header-only.
//
// Thread-safety: pure functions.
#include <map>
#include <string>
#include <vector>

#include "tests/support/bigpe_invocation.h"

namespace bigpe::testing {

// Every record of the text, each as its fields.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row(1);
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        row.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        row.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.emplace_back();
    } else if (c == '\n') {
      rows.push_back(row);
      row.assign(1, "");
      any = false;
    } else {
      row.back() += c;
    }
  }
  if (any) rows.push_back(row);
  return rows;
}

// The records of a CSV file after its header, as column -> value.
inline std::vector<std::map<std::string, std::string>> read_csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> records = parse_csv(read_text_file(path));
  std::vector<std::map<std::string, std::string>> rows;
  if (records.empty()) return rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < records[0].size() && c < records[r].size(); ++c) row[records[0][c]] = records[r][c];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace bigpe::testing
