#include "scheduler/agents/prompt_checks.h"

#include <cctype>
#include <set>

#include "common/text_util.h"

namespace bigpe {
namespace {

// Calls fn(word) for each lowercase word (letters, digits, UTF-8 bytes) of
// three or more bytes until fn returns true; returns whether it did.
template <typename Fn>
bool any_word(const std::string& text, Fn fn) {
  std::string w;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const unsigned char c = i < text.size() ? static_cast<unsigned char>(text[i]) : ' ';
    if (std::isalnum(c) || c >= 0x80) {
      w += static_cast<char>(std::tolower(c));
      continue;
    }
    if (w.size() >= 3 && fn(w)) return true;
    w.clear();
  }
  return false;
}

}  // namespace

bool looks_like_refusal(const std::string& prompt) {
  static const char* const kMarks[] = {"as an ai",       "ai language model", "language model",
                                       "i cannot",       "i can't",           "i can not",
                                       "i'm sorry",      "i am sorry",        "i am unable",
                                       "i'm unable",     "cannot see images", "i apologize"};
  const std::string l = lower(prompt);
  for (const char* m : kMarks)
    if (l.find(m) != std::string::npos) return true;
  return false;
}

bool keeps_subject(const std::string& prompt, const std::string& query) {
  // The query is short: its words go in a set; the prompt is scanned once
  // and stops at the first word they share (this runs for every prompt).
  std::set<std::string> subject;
  any_word(query, [&](const std::string& w) {
    subject.insert(w);
    return false;
  });
  if (subject.empty()) return true;
  return any_word(prompt, [&](const std::string& w) { return subject.count(w) > 0; });
}

}  // namespace bigpe
