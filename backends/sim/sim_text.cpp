#include "backends/sim/sim_text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "common/content_hash.h"

namespace bigpe::sim {
namespace {

bool is_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}
bool is_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; }

// The reference's STOP set.
constexpr std::array<std::string_view, 32> kStop = {
    "a",    "an",    "the",   "with", "of",      "and",   "in",    "on",   "at",   "by",   "for",
    "to",   "from",  "its",   "it",   "is",      "are",   "as",    "into", "over", "under",
    "through", "their", "his", "her", "this",    "that",  "while", "amid", "among", "near", "or"};

}  // namespace

void words_into(const std::string& text, std::vector<std::string>* out) {
  std::size_t count = 0;
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    if (!is_alnum(text[i])) {
      ++i;
      continue;
    }
    if (count == out->size()) out->emplace_back();
    std::string& w = (*out)[count++];
    w.clear();
    while (i < n && is_alnum(text[i])) w.push_back(lower(text[i++]));
    // Optional "'letters" suffix (child's): only when a letter follows.
    if (i + 1 < n && text[i] == '\'' && is_alpha(text[i + 1])) {
      w.push_back('\'');
      ++i;
      while (i < n && is_alpha(text[i])) w.push_back(lower(text[i++]));
    }
  }
  out->resize(count);
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  words_into(text, &out);
  return out;
}

std::string_view stem_view(std::string_view w) {
  const std::size_t n = w.size();
  if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's') return w.substr(0, n - 1);
  return w;
}

std::string stem(const std::string& w) { return std::string(stem_view(w)); }

bool is_stop_word(std::string_view w) {
  static const std::vector<std::string_view> sorted = [] {
    std::vector<std::string_view> v(kStop.begin(), kStop.end());
    std::sort(v.begin(), v.end());
    return v;
  }();
  return std::binary_search(sorted.begin(), sorted.end(), w);
}

std::string normalize_phrase(const std::string& text) {
  std::string out;
  for (const auto& w : words(text)) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

double hz(const std::string& key) {
  const auto d = sha256(key);
  uint64_t a = 0, b = 0;
  for (int i = 0; i < 8; ++i) {
    a = (a << 8) | d[i];
    b = (b << 8) | d[8 + i];
  }
  // As the reference computes it in floating point: (a + 0.5) / 2^64.
  constexpr double kTwo64 = 18446744073709551616.0;
  const double u1 = (static_cast<double>(a) + 0.5) / kTwo64;
  const double u2 = (static_cast<double>(b) + 0.5) / kTwo64;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace bigpe::sim
