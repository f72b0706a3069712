#include "scheduler/prodb/bm25.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace bigpe {

Bm25Index::Bm25Index(const std::vector<std::string>& documents) {
  doc_terms_.reserve(documents.size());
  std::size_t total = 0;
  for (const auto& doc : documents) {
    std::unordered_map<std::string, int> tf;
    const auto tokens = tokenize(doc);
    for (const auto& t : tokens) ++tf[t];
    for (const auto& entry : tf) ++doc_freq_[entry.first];
    doc_length_.push_back(tokens.size());
    total += tokens.size();
    doc_terms_.push_back(std::move(tf));
  }
  avg_length_ = documents.empty() ? 0.0 : static_cast<double>(total) / documents.size();
}

std::vector<std::string> Bm25Index::tokenize(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (unsigned char c : text) {
    if (std::isalnum(c) && c < 128) {
      word += static_cast<char>(std::tolower(c));
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

double Bm25Index::idf(const std::string& term) const {
  const auto it = doc_freq_.find(term);
  const double n = it == doc_freq_.end() ? 0.0 : static_cast<double>(it->second);
  const double total = static_cast<double>(doc_terms_.size());
  return std::log(1.0 + (total - n + 0.5) / (n + 0.5));
}

double Bm25Index::score(const std::string& query, std::size_t doc) const {
  if (doc >= doc_terms_.size()) throw std::out_of_range("Bm25Index::score: no such document");
  const auto& tf = doc_terms_[doc];
  // A term repeated in the query counts once: queries are short subjects,
  // and repetition there carries no extra intent.
  auto terms = tokenize(query);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  const double norm =
      avg_length_ > 0.0 ? kK1 * (1.0 - kB + kB * doc_length_[doc] / avg_length_) : kK1;
  double total = 0.0;
  for (const auto& term : terms) {
    const auto it = tf.find(term);
    if (it == tf.end()) continue;
    const double f = it->second;
    total += idf(term) * f * (kK1 + 1.0) / (f + norm);
  }
  return total;
}

std::vector<std::size_t> Bm25Index::top_k(const std::string& query, std::size_t k) const {
  std::vector<std::pair<double, std::size_t>> scored;
  for (std::size_t d = 0; d < doc_terms_.size(); ++d) {
    const double s = score(query, d);
    if (s > 0.0) scored.emplace_back(s, d);
  }
  // stable_sort on score alone keeps document order among ties.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < scored.size() && i < k; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace bigpe
