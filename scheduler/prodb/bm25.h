#pragma once
// Bm25Index: Okapi BM25 ranking over a fixed set of short documents (here,
// professional prompts), used to find exemplars for a query that has no
// prompts of its own. Tokens are lowercase ASCII alphanumeric runs; k1 = 1.2,
// b = 0.75; idf = ln(1 + (N - n + 0.5) / (n + 0.5)), which stays positive.
//
// Thread-safety: immutable after construction; const methods are safe to
// call concurrently.
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace bigpe {

class Bm25Index {
 public:
  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;

  Bm25Index() = default;
  explicit Bm25Index(const std::vector<std::string>& documents);

  // Lowercase runs of [a-z0-9] ("Sci-Fi 2049!" -> sci, fi, 2049).
  static std::vector<std::string> tokenize(const std::string& text);

  // BM25 score of document `doc` for `query`. REQUIRES: doc < size().
  double score(const std::string& query, std::size_t doc) const;

  // Indices of the (at most k) documents with a positive score, best first;
  // equal scores keep document order, so results are deterministic.
  std::vector<std::size_t> top_k(const std::string& query, std::size_t k) const;

  std::size_t size() const { return doc_terms_.size(); }

 private:
  double idf(const std::string& term) const;

  std::vector<std::unordered_map<std::string, int>> doc_terms_;
  std::vector<std::size_t> doc_length_;
  std::unordered_map<std::string, std::size_t> doc_freq_;
  double avg_length_ = 0.0;
};

}  // namespace bigpe
