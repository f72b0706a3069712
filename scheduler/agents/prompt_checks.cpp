#include "scheduler/agents/prompt_checks.h"

#include <cctype>
#include <set>

#include "common/text_util.h"

namespace bigpe {
namespace {

std::set<std::string> words_of(const std::string& text) {
  std::set<std::string> words;
  std::string w;
  auto flush = [&] {
    if (w.size() >= 3) words.insert(w);
    w.clear();
  };
  for (unsigned char c : lower(text)) {
    if (std::isalnum(c) || c >= 0x80) {
      w += static_cast<char>(c);
    } else {
      flush();
    }
  }
  flush();
  return words;
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
  const std::set<std::string> subject = words_of(query);
  if (subject.empty()) return true;
  const std::set<std::string> words = words_of(prompt);
  for (const std::string& w : subject)
    if (words.count(w)) return true;
  return false;
}

}  // namespace bigpe
