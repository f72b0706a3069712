#include "scheduler/agents/output_parsers.h"
#include "common/text_util.h"

#include <cctype>
#include <optional>
#include <regex>
#include <utility>

namespace bigpe {
namespace {

using Lines = std::vector<std::string>;

bool has_alnum(const std::string& s) {
  for (unsigned char c : s)
    if (std::isalnum(c)) return true;
  return false;
}

// Lines without '\r', markdown code fences removed.
Lines split_lines(const std::string& text) {
  Lines lines;
  std::string line;
  auto flush = [&] {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).rfind("```", 0) != 0) lines.push_back(line);
    line.clear();
  };
  for (char c : text) {
    if (c == '\n') flush();
    else line += c;
  }
  flush();
  return lines;
}

// Blank-line separated groups of non-blank lines.
std::vector<Lines> paragraphs(const Lines& lines) {
  std::vector<Lines> out;
  Lines current;
  for (const auto& l : lines) {
    if (trim(l).empty()) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(l);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::string remove_bold(std::string s) {
  for (auto pos = s.find("**"); pos != std::string::npos; pos = s.find("**"))
    s.erase(pos, 2);
  return s;
}

// "1. ", "2) ", "- ", "* ", "• ", "## " at the start of a line.
std::string strip_numbering(const std::string& s) {
  static const std::regex kNumbering(
      R"(^\s*(?:#+\s*|\d{1,2}[.)]\s+|[-*+]\s+|\xE2\x80\xA2\s*))");
  return std::regex_replace(s, kNumbering, "", std::regex_constants::format_first_only);
}

// Removes one pair of matching quotes (straight, curly, backticks, guillemets)
// around the whole text, repeatedly.
std::string strip_quotes(std::string s) {
  static const std::pair<std::string, std::string> kPairs[] = {
      {"\"", "\""}, {"'", "'"}, {"`", "`"},
      {"\xE2\x80\x9C", "\xE2\x80\x9D"},  // curly double
      {"\xE2\x80\x98", "\xE2\x80\x99"},  // curly single
      {"\xC2\xAB", "\xC2\xBB"},          // guillemets
      {"*", "*"},                        // markdown italics
  };
  for (bool changed = true; changed;) {
    changed = false;
    s = trim(s);
    for (const auto& [open, close] : kPairs) {
      if (s.size() >= open.size() + close.size() && s.rfind(open, 0) == 0 &&
          s.compare(s.size() - close.size(), close.size(), close) == 0) {
        s = s.substr(open.size(), s.size() - open.size() - close.size());
        changed = true;
        break;
      }
    }
  }
  return s;
}

const std::regex& prompt_label() {
  static const std::regex kLabel(
      R"(^\s*(?:(?:refined|enhanced|improved|generated|final|new|revised)\s+)?(?:text-to-image\s+)?prompt\s*:\s*)",
      std::regex::icase);
  return kLabel;
}

const std::regex& instruction_label() {
  static const std::regex kLabel(
      R"(^\s*(?:(?:new|refined|improved|updated|revised|modified|final)\s+)?(?:general\s+)?instruction\s*(?:#?\s*\d+)?\s*:\s*)",
      std::regex::icase);
  return kLabel;
}

// Repeatedly strips bold, numbering, `label` and quotes from a line until it
// stops changing ("1. **Refined Prompt:** \"A cactus\"" -> "A cactus").
std::string clean_line(std::string s, const std::regex& label) {
  for (std::string before; before != s;) {
    before = s;
    s = strip_numbering(remove_bold(s));
    s = std::regex_replace(s, label, "", std::regex_constants::format_first_only);
    s = strip_quotes(s);
  }
  return trim(s);
}

// A line that only announces the answer: "Sure! Here is the prompt:",
// "**New Instruction:**", "Refined Prompt".
bool is_preamble(const std::string& line, const std::regex& label) {
  const std::string s = trim(remove_bold(line));
  if (s.empty()) return true;
  if (trim(std::regex_replace(s, label, "")).empty()) return true;
  if (s.back() != ':') return false;
  static const std::regex kAnnounce(
      R"(\b(?:prompt|instruction|here|sure|certainly|okay|below)\b)", std::regex::icase);
  return std::regex_search(s, kAnnounce);
}

// The answer's paragraphs with leading preamble lines and paragraphs removed.
std::vector<Lines> answer_paragraphs(const std::string& reply, const std::regex& label) {
  std::vector<Lines> paras = paragraphs(split_lines(reply));
  while (!paras.empty()) {
    Lines& first = paras.front();
    // Keep a lone line even if it looks like a preamble only when nothing
    // follows it; "Refined Prompt: A cactus" is not a preamble (no colon at
    // the end), so this only drops pure announcements.
    while (!first.empty() && is_preamble(first.front(), label)) first.erase(first.begin());
    if (!first.empty()) break;
    paras.erase(paras.begin());
  }
  return paras;
}

std::optional<std::string> between_markers(const std::string& text) {
  const auto open = text.find("<<<");
  if (open == std::string::npos) return std::nullopt;
  const auto close = text.find(">>>", open + 3);
  if (close == std::string::npos) return std::nullopt;
  return text.substr(open + 3, close - open - 3);
}

// The patterns for one family of labels (a regex alternative such as
// "improvement|suggestion"), compiled once.
struct LabelPatterns {
  explicit LabelPatterns(const std::string& labels)
      : anchored("^(?:" + labels + R"()\s*#?\s*\d+\s*[:.)-]\s*(.*)$)", std::regex::icase),
        anywhere(R"((?:^|[^A-Za-z])(?:)" + labels + R"()\s*#?\s*\d+\s*:\s*(.*)$)",
                 std::regex::icase),
        heading("^[#\\s]*(?:suggested\\s+)?(?:" + labels + R"()s?\b.{0,40}$)",
                std::regex::icase) {}
  std::regex anchored;  // "Improvement 1: text" at the start of a line
  std::regex anywhere;  // "... Improvement 1: text" later in a line
  std::regex heading;   // "### Improvements:"
};

// Items labelled "<word> k:", else the list items under a heading that
// names the label.
std::vector<std::string> parse_labelled(const std::string& reply, const LabelPatterns& p) {
  const std::regex& anchored = p.anchored;
  const std::regex& anywhere = p.anywhere;
  const std::regex& heading = p.heading;
  // Where the next label starts when an LLM puts several on one line.
  static const std::regex kNextLabel(
      R"(\b(?:inference|improvement|suggestion|reason)\s*#?\s*\d+\s*:)", std::regex::icase);
  static const std::regex kListItem(R"(^\s*(?:\d{1,2}[.)]|[-*+]|\xE2\x80\xA2)\s*(.*)$)");

  const Lines lines = split_lines(reply);
  std::vector<std::string> items;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line = trim(strip_numbering(remove_bold(lines[i])));
    std::smatch m;
    if (!std::regex_match(line, m, anchored) && !std::regex_search(line, m, anywhere)) continue;
    std::string text = m[1].str();
    std::smatch next;
    if (std::regex_search(text, next, kNextLabel)) text = text.substr(0, next.position(0));
    text = strip_quotes(trim(text));
    // "Improvement 1:" with its text on the following line.
    if (text.empty() && i + 1 < lines.size()) {
      const std::string following = trim(strip_numbering(remove_bold(lines[i + 1])));
      if (!following.empty() && !std::regex_search(following, kNextLabel)) {
        text = strip_quotes(following);
        ++i;
      }
    }
    if (has_alnum(text)) items.push_back(one_line(text));
  }
  if (!items.empty()) return items;

  // A heading such as "Improvements:" or "### Suggested improvements" with a
  // numbered or bulleted list under it.
  bool under_heading = false;
  for (const auto& raw : lines) {
    const std::string line = trim(remove_bold(raw));
    if (line.empty()) continue;
    std::smatch m;
    if (!under_heading) {
      under_heading = std::regex_match(line, heading);
      continue;
    }
    if (std::regex_match(line, m, kListItem)) {
      const std::string text = strip_quotes(trim(m[1].str()));
      if (has_alnum(text)) items.push_back(one_line(text));
    } else if (!items.empty()) {
      break;  // the list ended
    }
  }
  return items;
}

}  // namespace

bool is_directive_line(const std::string& line) {
  static const std::regex kDirective(
      R"(^\s*(?:add\s*:|avoid\s*:|keep\b.{0,30}\bunder\s+\d+\s+words?\b))", std::regex::icase);
  return std::regex_search(strip_numbering(remove_bold(line)), kDirective);
}

std::string parse_generated_prompt(const std::string& reply) {
  const std::vector<Lines> paras = answer_paragraphs(reply, prompt_label());
  if (paras.empty()) return "";
  // The first paragraph is the prompt; what follows is commentary.
  std::string joined;
  for (const auto& line : paras.front()) joined += trim(line) + " ";
  const std::string prompt = one_line(clean_line(joined, prompt_label()));
  return has_alnum(prompt) ? prompt : "";
}

std::string parse_instruction(const std::string& reply) {
  const std::string body = between_markers(reply).value_or(reply);
  const std::vector<Lines> paras = answer_paragraphs(body, instruction_label());
  if (paras.empty()) return "";
  Lines kept = paras.front();
  // Directive lines set apart by a blank line are still part of the answer;
  // any other later paragraph is commentary.
  for (std::size_t p = 1; p < paras.size(); ++p) {
    bool all_directives = true;
    for (const auto& line : paras[p]) all_directives = all_directives && is_directive_line(line);
    if (!all_directives) break;
    kept.insert(kept.end(), paras[p].begin(), paras[p].end());
  }
  // Quotes may wrap the whole multi-line answer: strip them as one text.
  std::string text;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    std::string line = trim(strip_numbering(remove_bold(kept[i])));
    if (i == 0) line = clean_line(line, instruction_label());
    if (!line.empty()) text += (text.empty() ? "" : "\n") + one_line(line);
  }
  text = strip_quotes(text);
  return has_alnum(text) ? text : "";
}

std::vector<std::string> parse_improvements(const std::string& reply) {
  static const LabelPatterns kPatterns("improvement|suggestion");
  return parse_labelled(reply, kPatterns);
}

std::vector<std::string> parse_inferences(const std::string& reply) {
  static const LabelPatterns kPatterns("inference");
  return parse_labelled(reply, kPatterns);
}

std::vector<std::string> parse_instruction_blocks(const std::string& reply) {
  static const std::regex kStart(
      R"(^(?:new\s+)?instruction\s*#?\s*\d+\s*[:.)-]\s*(.*)$)", std::regex::icase);
  std::vector<std::string> blocks;
  std::optional<std::string> current;
  for (const auto& raw : split_lines(reply)) {
    const std::string line = trim(strip_numbering(remove_bold(raw)));
    std::smatch m;
    if (std::regex_match(line, m, kStart)) {
      if (current) blocks.push_back(*current);
      current = m[1].str();
    } else if (current) {
      *current += "\n" + raw;
    }
  }
  if (current) blocks.push_back(*current);

  std::vector<std::string> out;
  for (const auto& block : blocks) {
    std::string text = parse_instruction(block);
    if (!text.empty()) out.push_back(std::move(text));
  }
  return out;
}

}  // namespace bigpe
