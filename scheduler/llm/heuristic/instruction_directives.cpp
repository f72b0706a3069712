#include "scheduler/llm/heuristic/instruction_directives.h"
#include "common/text_util.h"

#include <cctype>
#include <sstream>
#include <stdexcept>

namespace bigpe {

namespace {

std::vector<std::string> split_items(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ';')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "keep under N words" with an optional final '.'; N in [1, 10000].
std::optional<int> parse_keep(const std::string& lowered) {
  const std::string head = "keep under ";
  if (!starts_with(lowered, head)) return std::nullopt;
  std::size_t i = head.size();
  std::size_t digits_at = i;
  while (i < lowered.size() && std::isdigit(static_cast<unsigned char>(lowered[i]))) ++i;
  if (i == digits_at || i - digits_at > 5) return std::nullopt;
  int n = std::stoi(lowered.substr(digits_at, i - digits_at));
  std::string rest = lowered.substr(i);
  if (rest != " words" && rest != " words." && rest != " word" && rest != " word.")
    return std::nullopt;
  if (n < 1 || n > 10000) return std::nullopt;
  return n;
}

void check_phrase(const std::string& p, const char* list) {
  if (trim(p).empty())
    throw std::invalid_argument(std::string("format_instruction: empty phrase in ") + list);
  if (p.find_first_of(";\n\r") != std::string::npos)
    throw std::invalid_argument(std::string("format_instruction: phrase '") + p + "' in " + list +
                                " contains ';' or a line break");
}

std::string join(const std::vector<std::string>& items, const char* list) {
  std::string out;
  for (const std::string& p : items) {
    check_phrase(p, list);
    if (!out.empty()) out += "; ";
    out += trim(p);
  }
  return out;
}

}  // namespace

Directives parse_directives(const std::string& instruction) {
  Directives d;
  std::stringstream ss(instruction);
  std::string line;
  while (std::getline(ss, line)) {
    std::string t = trim(line);
    if (t.empty()) continue;
    std::string l = lower(t);
    if (starts_with(l, "add:")) {
      for (auto& p : split_items(t.substr(4))) d.add.push_back(p);
    } else if (starts_with(l, "avoid:")) {
      for (auto& p : split_items(t.substr(6))) d.avoid.push_back(p);
    } else if (auto keep = parse_keep(l)) {
      d.keep_under = keep;
    } else {
      if (!d.free_text.empty()) d.free_text += '\n';
      d.free_text += t;
    }
  }
  return d;
}

std::string format_instruction(const Directives& d) {
  std::string out = trim(d.free_text);
  auto line = [&](const std::string& s) {
    if (!out.empty()) out += '\n';
    out += s;
  };
  if (!d.add.empty()) line("Add: " + join(d.add, "Add"));
  if (!d.avoid.empty()) line("Avoid: " + join(d.avoid, "Avoid"));
  if (d.keep_under) {
    if (*d.keep_under < 1 || *d.keep_under > 10000)
      throw std::invalid_argument("format_instruction: Keep under " +
                                  std::to_string(*d.keep_under) + " is outside [1, 10000]");
    line("Keep under " + std::to_string(*d.keep_under) + " words");
  }
  return out;
}

}  // namespace bigpe
