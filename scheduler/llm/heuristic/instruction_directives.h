#pragma once
// The instruction text format shared by the agents and the heuristic LLM
// (docs/sim-v1.md section 2): free text (one or more lines), then
// optional directive lines, each on its own line:
//   Add: highly detailed; oil painting
//   Avoid: blurry
//   Keep under 25 words
// I0 ("This is the original prompt that you need to carefully refine") is
// free text with no directives.
//
// Parsing is lenient on purpose: instructions are written by LLMs, so a line
// that is not a well-formed directive is kept as free text rather than
// rejected. Formatting is strict: it refuses phrases that would not read
// back (containing ';' or a line break).
//
// Thread-safety: pure functions.
#include <optional>
#include <string>
#include <vector>

namespace bigpe {

struct Directives {
  // The non-directive lines, trimmed, blank lines dropped, joined by '\n'.
  std::string free_text;
  std::vector<std::string> add;    // in order; trimmed; empty items dropped
  std::vector<std::string> avoid;  // in order; trimmed; empty items dropped
  std::optional<int> keep_under;   // "Keep under N words", 1 <= N <= 10000

  bool operator==(const Directives& o) const {
    return free_text == o.free_text && add == o.add && avoid == o.avoid &&
           keep_under == o.keep_under;
  }
};

// Directive keywords are matched case-insensitively at the start of a
// trimmed line ("add:", "AVOID:", "keep under 30 words."). Repeated Add or
// Avoid lines accumulate; the last Keep line wins.
Directives parse_directives(const std::string& instruction);

// free_text, then "Add: a; b", "Avoid: c", "Keep under N words" lines for
// the parts present. parse_directives(format_instruction(d)) == d for every
// d that parse_directives returns (and edits of it that format accepts). Throws std::invalid_argument naming the phrase when
// an Add/Avoid phrase is empty or contains ';' or a line break.
std::string format_instruction(const Directives& d);

}  // namespace bigpe
