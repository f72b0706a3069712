#pragma once
// TextTable: rows of text cells printed in columns as wide as their widest
// cell, so nothing is cut (the ids of `bigpe ls`, the keys of `bigpe diff`
// stay whole and rows can always be told apart). The last column is not
// padded.
//
// Thread-safety: a plain value.
#include <string>
#include <vector>

namespace bigpe::engine {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // A row with fewer cells than the header leaves the rest empty.
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  // Header and rows, two spaces between columns, one line each.
  std::string text() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace bigpe::engine
