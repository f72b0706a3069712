#include "backends/sim/sim_vocabulary.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "backends/sim/sim_text.h"
#include "common/content_hash.h"

namespace bigpe::sim {

void Vocabulary::add(const std::string& raw) {
  // The reference drops quoted phrases before tokenising them.
  if (raw.find('"') != std::string::npos) return;
  std::vector<std::string> tokens = words(raw);
  if (tokens.empty() || tokens.size() > kMaxPhraseTokens) return;
  std::string phrase = normalize_phrase(raw);
  if (!set_.insert(phrase).second) return;  // same token tuple seen before
  const std::size_t id = phrases_.size();
  phrases_.push_back(std::move(phrase));
  std::string first = std::move(tokens.front());
  tokens.erase(tokens.begin());
  auto& bucket = by_first_[first];
  bucket.push_back(Entry{std::move(tokens), id});
  // Longest first, so the first hit of a scan is the longest match.
  std::stable_sort(bucket.begin(), bucket.end(), [](const Entry& a, const Entry& b) {
    return a.tokens.size() > b.tokens.size();
  });
}

Vocabulary Vocabulary::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read vocabulary file " + path);
  Vocabulary v;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    for (char ch : line) {
      const auto u = static_cast<unsigned char>(ch);
      if (u < 0x20 && ch != '\t' && ch != '\r')
        throw std::runtime_error(path + ":" + std::to_string(line_no) +
                                 ": control character in phrase (not a text file?)");
    }
    const auto start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    v.add(line);
  }
  if (in.bad()) throw std::runtime_error("error reading vocabulary file " + path);
  return v;
}

Vocabulary Vocabulary::from_phrases(const std::vector<std::string>& phrases) {
  Vocabulary v;
  for (const auto& p : phrases) v.add(p);
  return v;
}

bool Vocabulary::contains(const std::string& normalized_phrase) const {
  return set_.count(normalized_phrase) != 0;
}

void Vocabulary::match_indices(const std::vector<std::string>& tokens, std::size_t n,
                               std::vector<std::size_t>* phrase_ids,
                               std::vector<bool>* covered) const {
  n = std::min(n, tokens.size());
  phrase_ids->clear();
  covered->assign(n, false);
  std::size_t i = 0;
  while (i < n) {
    const Entry* best = nullptr;
    auto it = by_first_.find(tokens[i]);
    if (it != by_first_.end()) {
      for (const Entry& e : it->second) {
        if (i + 1 + e.tokens.size() > n) continue;
        if (std::equal(e.tokens.begin(), e.tokens.end(), tokens.begin() + i + 1)) {
          best = &e;
          break;
        }
      }
    }
    if (!best) {
      ++i;
      continue;
    }
    const std::size_t len = 1 + best->tokens.size();
    for (std::size_t k = i; k < i + len; ++k) (*covered)[k] = true;
    // Matches per prompt are few, so a linear distinctness check is cheapest.
    if (std::find(phrase_ids->begin(), phrase_ids->end(), best->id) == phrase_ids->end())
      phrase_ids->push_back(best->id);
    i += len;
  }
}

Vocabulary::Match Vocabulary::match(const std::vector<std::string>& tokens) const {
  std::vector<std::size_t> ids;
  Match m;
  match_indices(tokens, tokens.size(), &ids, &m.covered);
  m.phrases.reserve(ids.size());
  for (auto id : ids) m.phrases.push_back(phrases_[id]);
  return m;
}

std::string vocabulary_hash(const Vocabulary& vocabulary) {
  std::string bytes;
  for (const std::string& p : vocabulary.phrases()) bytes += p + "\n";
  return sha256_hex(bytes).substr(0, 16);
}

std::string default_vocabulary_path() {
  if (const char* dir = std::getenv("BIGPE_DATA_DIR"); dir && *dir)
    return std::string(dir) + "/sim_vocabulary.txt";
  return std::string(BIGPE_SOURCE_DIR) + "/experiments/data/sim_vocabulary.txt";
}

}  // namespace bigpe::sim
