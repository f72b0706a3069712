#pragma once
// Vocabulary: the set of modifier phrases ("highly detailed", "oil
// painting") that the sim-v1 scorer rewards or penalises and the heuristic
// agents know. Phrases are stored normalized (sim::normalize_phrase) and
// matched against a token sequence left to right, longest phrase first, as
// docs/sim-v1.md section 1 defines.
//
// Thread-safety: immutable after construction; const methods are safe to
// call concurrently. Share one instance as shared_ptr<const Vocabulary>.
#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace bigpe::sim {

class Vocabulary {
 public:
  // Phrases longer than this many tokens are dropped (reference rule).
  static constexpr std::size_t kMaxPhraseTokens = 6;

  // Reads one phrase per line. Blank lines and lines whose first non-space
  // character is '#' are skipped. Each phrase is normalized; phrases that
  // contain '"', normalize to nothing or exceed kMaxPhraseTokens tokens are
  // dropped; duplicates (same token sequence) keep their first occurrence.
  // Throws std::runtime_error naming the file when it cannot be read, and
  // naming file:line for a line that is not valid text (a NUL byte).
  static Vocabulary load(const std::string& path);

  // Same rules as load(), for phrases already in memory.
  static Vocabulary from_phrases(const std::vector<std::string>& phrases);

  Vocabulary() = default;

  // Normalized phrases in input order.
  const std::vector<std::string>& phrases() const { return phrases_; }
  std::size_t size() const { return phrases_.size(); }

  // REQUIRES: the argument is normalized (normalize_phrase).
  bool contains(const std::string& normalized_phrase) const;

  struct Match {
    // Distinct matched phrases (normalized), in order of first match.
    std::vector<std::string> phrases;
    // covered[i] is true when token i lies inside a matched phrase.
    std::vector<bool> covered;
  };

  // Scans `tokens` left to right; at each position takes the longest phrase
  // starting there and skips past it, otherwise advances one token.
  Match match(const std::vector<std::string>& tokens) const;

  // As match(), over tokens[0, n), reusing the caller's buffers; returns
  // indices into phrases() (distinct, in order of first match). For hot
  // loops such as the scorer.
  void match_indices(const std::vector<std::string>& tokens, std::size_t n,
                     std::vector<std::size_t>* phrase_ids,
                     std::vector<bool>* covered) const;

 private:
  void add(const std::string& raw);

  struct Entry {
    std::vector<std::string> tokens;  // tokens after the first
    std::size_t id;
  };
  std::vector<std::string> phrases_;
  std::unordered_set<std::string> set_;
  // First token -> candidate phrases starting with it, longest first.
  std::unordered_map<std::string, std::vector<Entry>> by_first_;
};

// The vocabulary's fingerprint in the sim backend identity: the first 16
// hex characters of SHA-256 over its normalized phrases in order, each
// followed by "\n". Two files that load to the same phrases (comments,
// spacing, case, duplicates aside) have the same hash.
std::string vocabulary_hash(const Vocabulary& vocabulary);

// Path of the project's default vocabulary: $BIGPE_DATA_DIR/sim_vocabulary.txt
// when BIGPE_DATA_DIR is set, else <source dir>/experiments/data/sim_vocabulary.txt.
std::string default_vocabulary_path();

}  // namespace bigpe::sim
