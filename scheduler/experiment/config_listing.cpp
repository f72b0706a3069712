#include "scheduler/experiment/config_listing.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {
namespace {

const char* short_type(ConfigType t) {
  switch (t) {
    case ConfigType::kInt: return "int";
    case ConfigType::kDouble: return "number";
    case ConfigType::kBool: return "bool";
    case ConfigType::kString: return "string";
    case ConfigType::kStringList: return "list";
  }
  return "?";
}

std::string allowed_values(const ConfigKey& k) {
  if (!k.choices.empty()) {
    std::string out;
    for (const std::string& c : k.choices) out += (out.empty() ? "" : "|") + c;
    return out;
  }
  if (k.min || k.max) return range_text(k);
  return "-";
}

using Row = std::vector<std::string>;

std::vector<Row> key_rows() {
  std::vector<Row> rows;
  for (const auto& b : experiment_bindings()) {
    // The schema's copy: its default is normalized ("0.8", not "0.80000000000000004").
    const ConfigKey& k = *experiment_schema().find(b.key.name);
    rows.push_back({k.name, short_type(k.type), yaml_scalar(k.default_value), allowed_values(k),
                    k.affects_result ? "fixed" : "may change", k.help});
  }
  return rows;
}

const Row kHeader = {"key", "type", "default", "range / choices", "on resume", "help"};

// Columns padded to their widest cell, up to a cap: a longer cell (the
// default instruction, a list of choices) pushes only its own row.
std::string aligned(const std::vector<Row>& rows) {
  constexpr std::size_t kMaxWidth = 28;
  std::vector<std::size_t> width(kHeader.size(), 0);
  for (const Row& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], std::min(r[c].size(), kMaxWidth));
  std::string out;
  for (const Row& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(r[c].size() < width[c] ? width[c] - r[c].size() : 0, ' ') + "  ";
    }
    out += line + "\n";
  }
  return out;
}

std::string markdown(const std::vector<Row>& rows) {
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line = "|";
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      std::string cell = rows[i][c];
      for (std::size_t at = cell.find('|'); at != std::string::npos; at = cell.find('|', at + 2))
        cell.replace(at, 1, "\\|");
      // Code cells for the key, default and range (not in the header).
      if (i > 0 && (c == 0 || c == 2 || c == 3) && cell != "-") cell = "`" + cell + "`";
      line += " " + cell + " |";
    }
    out += line + "\n";
    if (i == 0) out += "| --- | --- | --- | --- | --- | --- |\n";
  }
  return out;
}

bool needs_quotes(const std::string& v) {
  if (v.empty() || std::isspace(static_cast<unsigned char>(v.front())) ||
      std::isspace(static_cast<unsigned char>(v.back())))
    return true;
  // Characters that start something else in YAML, and the texts of null.
  if (std::string("?:,[]{}#&*!|>'\"%@`").find(v.front()) != std::string::npos) return true;
  if (v.rfind("- ", 0) == 0 || v == "-" || v == "~" || v == "null" || v == "Null" || v == "NULL") return true;
  if (v.find(": ") != std::string::npos || v.find(" #") != std::string::npos || v.back() == ':') return true;
  for (unsigned char ch : v)
    if (ch < 0x20 || ch == 0x7f) return true;
  return false;
}

// An origin on one comment line.
std::string one_line(std::string text) {
  for (char& ch : text)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return text;
}

}  // namespace

std::string yaml_scalar(const std::string& value) {
  if (!needs_quotes(value)) return value;
  std::string out = "\"";
  for (unsigned char ch : value) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\x%02x", ch);
          out += esc;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out + "\"";
}

std::string config_keys_table(KeysFormat format) {
  std::vector<Row> rows = key_rows();
  rows.insert(rows.begin(), kHeader);
  return format == KeysFormat::kMarkdown ? markdown(rows) : aligned(rows);
}

std::string resolved_config_text(const Config& config) {
  constexpr std::size_t kMaxWidth = 40;  // a long value pushes only its own comment
  std::vector<std::pair<std::string, std::string>> lines;  // "key: value", origin
  std::size_t width = 0;
  for (const auto& [key, value] : config.values()) {
    lines.push_back({key + ": " + yaml_scalar(value), config.origin_of(key)});
    if (!lines.back().second.empty()) width = std::max(width, std::min(lines.back().first.size(), kMaxWidth));
  }
  std::string out;
  for (const auto& [text, origin] : lines) {
    out += text;
    if (!origin.empty())
      out += std::string(text.size() < width ? width - text.size() : 0, ' ') + "  # " + one_line(origin);
    out += "\n";
  }
  return out;
}

}  // namespace bigpe::engine
