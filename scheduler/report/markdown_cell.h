#pragma once
// A table cell's text for Markdown: "*" (the few-repeats mark) would start
// emphasis and "|" would end the cell, so both are escaped. Every Markdown
// table the campaign writes (summary.md) goes through it.
#include <string>

namespace bigpe::engine {

inline std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '*' || ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace bigpe::engine
