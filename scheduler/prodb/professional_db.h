#pragma once
// ProfessionalDb: the professional prompts (the paper's Lexica database) that
// compete with the instructions' prompts for each query and so become the
// "high score" exemplars the Gradient Calculator sees. Three sources: the
// paper's JSONL rows {"query", "prompt"}, a plain list of prompts, or the
// sim-v1 synthetic database (docs/sim-v1.md section 3).
//
// Queries are matched case-insensitively with whitespace collapsed.
//
// Thread-safety: immutable after construction; const methods are safe to
// call concurrently.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/sim/sim_vocabulary.h"
#include "scheduler/prodb/bm25.h"

namespace bigpe {

class ProfessionalDb {
 public:
  // Prompts made per query by synthetic().
  static constexpr std::size_t kSyntheticPerQuery = 10;

  // One JSON object per line with string fields "query" and "prompt"
  // (other keys ignored, blank lines skipped). Throws std::runtime_error
  // naming file:line and the field for a bad row, or the file when it cannot
  // be read.
  static ProfessionalDb load_jsonl(const std::string& path);

  // One prompt per line, attached to no query (found through BM25 only).
  // Blank lines are skipped. Throws std::runtime_error naming the file.
  static ProfessionalDb load_text(const std::string& path);

  // sim-v1 synthetic database: kSyntheticPerQuery prompts per query, each
  // the query (with p = 0.2 a content word becomes "scene"/"view"/"place"
  // and the others may be dropped), 0-6 prose words, then 3-8 distinct
  // vocabulary phrases separated by ", ". Query q's prompts are drawn from
  // the stream "prodb|<seed>|<q>", so they do not depend on the other
  // queries. Throws std::invalid_argument when the vocabulary has fewer than
  // 8 phrases.
  static ProfessionalDb synthetic(const std::vector<std::string>& queries,
                                  const sim::Vocabulary& vocab,
                                  uint64_t seed = 0);

  // Up to k exemplars for `query`: its own rows (the first k) when it has
  // any, else the k best prompts of the whole database by BM25 (only
  // prompts sharing a word with the query).
  std::vector<std::string> exemplars(const std::string& query,
                                     std::size_t k) const;

  // The query's own rows in file order; empty when it has none.
  const std::vector<std::string>& rows_for(const std::string& query) const;

  // Every prompt, in load order.
  const std::vector<std::string>& prompts() const { return prompts_; }
  std::size_t size() const { return prompts_.size(); }

 private:
  void add(const std::string& query, const std::string& prompt);
  void build_index();

  std::vector<std::string> prompts_;
  std::unordered_map<std::string, std::vector<std::string>> by_query_;
  Bm25Index index_;
};

}  // namespace bigpe
