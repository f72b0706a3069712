#include "models/core/flat_yaml.h"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace bigpe::models {
namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

[[noreturn]] void fail(const std::string& origin, int line, const std::string& what) {
  throw std::runtime_error(origin + ":" + std::to_string(line) + ": " + what);
}

// The value text after "key:", without a trailing comment, unquoted.
std::string scalar(const std::string& raw, const std::string& origin, int line) {
  std::string s = trim(raw);
  if (s.empty()) return s;
  char q = s[0];
  if (q == '"' || q == '\'') {
    std::string out;
    size_t i = 1;
    for (; i < s.size() && s[i] != q; ++i) {
      if (q == '"' && s[i] == '\\' && i + 1 < s.size()) {
        char e = s[++i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += s[i];
      }
    }
    if (i >= s.size()) fail(origin, line, "unterminated quoted value");
    std::string rest = trim(s.substr(i + 1));
    if (!rest.empty() && rest[0] != '#') fail(origin, line, "unexpected text after quoted value: " + rest);
    return out;
  }
  size_t hash = s.find(" #");
  if (hash != std::string::npos) s = trim(s.substr(0, hash));
  if (s[0] == '[' || s[0] == '{' || s[0] == '&' || s[0] == '*' || s[0] == '|' || s[0] == '>')
    fail(origin, line, "only plain or quoted scalar values are supported, got: " + s);
  return s;
}

}  // namespace

std::map<std::string, FlatYamlValue> parse_flat_yaml(const std::string& text, const std::string& origin) {
  std::map<std::string, FlatYamlValue> out;
  // Open maps: (indent of their keys, dotted prefix).
  std::vector<std::pair<int, std::string>> stack{{0, ""}};
  bool expect_child = false;  // the previous key had no value: a map opens
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string body = trim(line);
    if (body.empty() || body[0] == '#') continue;
    if (line.find('\t') < line.find_first_not_of(" \t"))
      fail(origin, line_no, "indent with spaces, not tabs");
    int indent = static_cast<int>(line.find_first_not_of(' '));
    if (body == "---" && out.empty()) continue;
    if (body[0] == '-') fail(origin, line_no, "sequences are not supported in a manifest");
    size_t colon = body.find(':');
    while (colon != std::string::npos && colon + 1 < body.size() && body[colon + 1] != ' ')
      colon = body.find(':', colon + 1);
    if (colon == std::string::npos) fail(origin, line_no, "expected \"key: value\", got: " + body);
    std::string key = trim(body.substr(0, colon));
    if (key.empty() || key.find('.') != std::string::npos || key[0] == '"' || key[0] == '\'')
      fail(origin, line_no, "expected a plain key without dots, got: " + key);

    if (expect_child) {
      expect_child = false;
      if (indent > stack[stack.size() - 2].first) stack.back().first = indent;  // first child
      else stack.pop_back();  // "key:" with nothing under it: an empty value
    }
    while (stack.size() > 1 && indent < stack.back().first) stack.pop_back();
    if (indent != stack.back().first) fail(origin, line_no, "indentation does not match any open map");
    const std::string& prefix = stack.back().second;
    std::string full = prefix.empty() ? key : prefix + "." + key;
    std::string value = scalar(body.substr(colon + 1), origin, line_no);
    bool opens_map = trim(body.substr(colon + 1)).empty() || trim(body.substr(colon + 1))[0] == '#';
    if (out.count(full) || (opens_map && out.count(full + ".")))
      fail(origin, line_no, "duplicate key '" + full + "'");
    if (opens_map) {
      out[full + "."] = {"", line_no};  // marks the map, so duplicates are seen
      stack.push_back({indent + 1, full});  // real indent set by the first child
      expect_child = true;
    } else {
      out[full] = {value, line_no};
    }
  }
  // Drop the map markers; a map without children is an empty value.
  std::map<std::string, FlatYamlValue> result;
  for (auto& [k, v] : out) {
    if (k.back() != '.') {
      result.emplace(k, v);
    } else {
      bool has_child = false;
      std::string stem = k;  // "a.b."
      auto it = out.upper_bound(stem);
      has_child = it != out.end() && it->first.compare(0, stem.size(), stem) == 0;
      if (!has_child) result.emplace(k.substr(0, k.size() - 1), FlatYamlValue{"", v.line});
    }
  }
  return result;
}

}  // namespace bigpe::models
