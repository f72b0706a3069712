// The heuristic Instruction Modifier IM(impr, I_low) and its fallback
// (sim-v1 section 2). The modifier edits I_low's directives as the
// improvement asks; the fallback, used when no contrast pair exists, makes
// three children that each ask for more specificity plus one random
// vocabulary phrase.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "backends/sim/sim_text.h"
#include "common/text_util.h"
#include "scheduler/llm/heuristic/heuristic_agents.h"
#include "scheduler/llm/heuristic/instruction_directives.h"

namespace bigpe::heuristic {

namespace {

constexpr std::size_t kAddCap = 6;
constexpr std::size_t kAvoidCap = 8;
constexpr std::size_t kAdviceCap = 3;
constexpr int kVividRelax = 10;
constexpr int kKeepMax = 10000;
constexpr int kFallbackChildren = 3;
const char* const kFallbackAdvice = "Make the prompt more specific and diverse.";

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Position of the last whole word `w` (lowercase) in `text` before `end`.
std::size_t last_word_before(const std::string& text, const std::string& w, std::size_t end) {
  std::size_t best = std::string::npos;
  for (std::size_t at = text.find(w); at != std::string::npos && at < end; at = text.find(w, at + 1)) {
    bool left = at == 0 || !is_word_char(text[at - 1]);
    bool right = at + w.size() >= text.size() || !is_word_char(text[at + w.size()]);
    if (left && right) best = at;
  }
  return best;
}

std::size_t last_of_words(const std::string& text, const std::vector<std::string>& ws, std::size_t end) {
  std::size_t best = std::string::npos;
  for (const std::string& w : ws) {
    std::size_t at = last_word_before(text, w, end);
    if (at != std::string::npos && (best == std::string::npos || at > best)) best = at;
  }
  return best;
}

struct Edit {
  std::vector<std::string> add, avoid;  // normalized
  std::optional<int> keep_under;
  bool vivid = false;
};

// Quoted phrases belong to the nearest preceding "add"-like or "avoid"-like
// word; straight and curly quotes both count, as LLMs write either.
Edit read_improvement(const std::string& impr) {
  static const std::vector<std::string> kAddWords = {"add", "include", "use"};
  static const std::vector<std::string> kAvoidWords = {"avoid", "remove", "drop", "exclude", "omit"};
  Edit e;
  std::string t = impr;
  for (const char* curly : {"\xE2\x80\x9C", "\xE2\x80\x9D"})  // U+201C, U+201D
    for (std::size_t at = t.find(curly); at != std::string::npos; at = t.find(curly))
      t.replace(at, 3, "\"");
  const std::string l = lower(t);
  for (std::size_t open = t.find('"'); open != std::string::npos;) {
    std::size_t close = t.find('"', open + 1);
    if (close == std::string::npos) break;
    std::string phrase = sim::normalize_phrase(t.substr(open + 1, close - open - 1));
    std::size_t add_at = last_of_words(l, kAddWords, open);
    std::size_t avoid_at = last_of_words(l, kAvoidWords, open);
    if (!phrase.empty()) {
      if (avoid_at != std::string::npos && (add_at == std::string::npos || avoid_at > add_at))
        e.avoid.push_back(phrase);
      else if (add_at != std::string::npos)
        e.add.push_back(phrase);
    }
    open = t.find('"', close + 1);
  }
  // "under N words"
  for (std::size_t at = l.find("under "); at != std::string::npos; at = l.find("under ", at + 1)) {
    std::size_t i = at + 6, d = i;
    while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i]))) ++i;
    if (i > d && i - d <= 5 && l.compare(i, 5, " word") == 0) {
      e.keep_under = std::clamp(std::stoi(l.substr(d, i - d)), 1, kKeepMax);
      break;
    }
  }
  e.vivid = l.find("more vivid detail") != std::string::npos;
  return e;
}

// Moves `phrase` to the end of `to` (capped, oldest dropped) and out of `from`.
void move_phrase(const std::string& phrase, std::vector<std::string>& to, std::size_t cap,
                 std::vector<std::string>& from) {
  auto same = [&](const std::string& p) { return sim::normalize_phrase(p) == phrase; };
  from.erase(std::remove_if(from.begin(), from.end(), same), from.end());
  to.erase(std::remove_if(to.begin(), to.end(), same), to.end());
  to.push_back(phrase);
  if (to.size() > cap) to.erase(to.begin(), to.end() - static_cast<std::ptrdiff_t>(cap));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The first free-text line is the instruction's base; later lines are
// appended advice, of which the last kAdviceCap are kept. Repeated advice
// moves to the end instead of appearing twice.
void append_advice(Directives& d, std::string advice) {
  std::replace(advice.begin(), advice.end(), '\n', ' ');
  std::replace(advice.begin(), advice.end(), '\r', ' ');
  std::vector<std::string> lines = lines_of(d.free_text);
  if (lines.empty()) {
    d.free_text = advice;
    return;
  }
  std::string base = lines.front();
  std::vector<std::string> extra(lines.begin() + 1, lines.end());
  extra.erase(std::remove(extra.begin(), extra.end(), advice), extra.end());
  if (advice != base) extra.push_back(advice);
  if (extra.size() > kAdviceCap) extra.erase(extra.begin(), extra.end() - kAdviceCap);
  d.free_text = base;
  for (const std::string& e : extra) d.free_text += "\n" + e;
}

}  // namespace

std::string modify_instruction(const HeuristicOptions& opts, const std::string& user, SeededRng& rng) {
  const std::string impr = trim(extract_block(user, "Improvement suggestion: ", "modifier"));
  Directives d = parse_directives(extract_block(user, "Current instruction: ", "modifier"));
  const Edit e = read_improvement(impr);

  for (const std::string& p : e.add) move_phrase(p, d.add, kAddCap, d.avoid);
  for (const std::string& p : e.avoid) move_phrase(p, d.avoid, kAvoidCap, d.add);
  if (e.keep_under) d.keep_under = e.keep_under;
  if (e.vivid && d.keep_under) d.keep_under = std::min(*d.keep_under + kVividRelax, kKeepMax);
  const bool directive = !e.add.empty() || !e.avoid.empty() || e.keep_under || e.vivid;
  if (!directive && !impr.empty()) append_advice(d, impr);

  // A real LLM's rewrite is lossy now and then.
  const bool lossy = rng.chance(opts.modifier_drop);
  if (lossy && !d.add.empty()) d.add.erase(d.add.begin() + rng.below(static_cast<int64_t>(d.add.size())));
  return format_instruction(d);
}

std::string fallback_instructions(const sim::Vocabulary& vocab, const HeuristicOptions& opts,
                                  const std::string& user, SeededRng& rng) {
  const Directives parent = parse_directives(extract_block(user, "Current instruction: ", "fallback"));
  if (opts.fallback_quirk) return "Instruction 1:\n";  // parses to one empty instruction
  std::string out;
  for (int k = 1; k <= kFallbackChildren; ++k) {
    Directives child = parent;
    append_advice(child, kFallbackAdvice);
    const std::string& phrase = rng.pick(vocab.phrases());
    move_phrase(phrase, child.add, kAddCap, child.avoid);
    out += "Instruction " + std::to_string(k) + ": " + format_instruction(child) + "\n";
  }
  return out;
}

}  // namespace bigpe::heuristic
