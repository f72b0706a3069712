#pragma once
// Small ASCII text helpers shared by parsers and loaders (config, agents'
// output parsers, directive parsing, query files). Pure functions.
#include <string>
#include <vector>

namespace bigpe {

// Without leading and trailing ASCII whitespace.
std::string trim(const std::string& s);
// ASCII lowercase; other bytes (UTF-8) unchanged.
std::string lower(std::string s);
bool starts_with(const std::string& s, const std::string& prefix);
// Each run of spaces, tabs and line breaks made one space, ends trimmed.
std::string one_line(const std::string& text);
// The parts of `text` between commas, each trimmed; empty parts are kept
// (so a caller can refuse "a,,b"); "" gives one empty part.
std::vector<std::string> split_commas(const std::string& text);

}  // namespace bigpe
