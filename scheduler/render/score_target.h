#pragma once
// What an experiment optimizes and what it only watches, among the scores
// its workers return for each image (schemas/README.md section 6, "Several
// scorers"; docs/configuration.md `score.*`):
//
//   score.scorers   the workers' scorer list, "sim,sim-judge" (empty: the
//                   backend's own, as worker/backend_factory.h picks it)
//   score.optimize  one scorer name, or a weighted blend "a:0.7,b:0.3"
//                   (weights > 0, summed as written: no normalisation);
//                   empty: the first scorer's score, as ever
//   score.judges    held-out scorer names, "b" or "b,c": reported beside
//                   the optimized score, never optimized
//
// Thread-safety: immutable values and pure functions.
#include <optional>
#include <string>
#include <vector>

#include "schemas/render_task.h"

namespace bigpe::engine {

struct ScoreTerm {
  std::string scorer;
  double weight = 1.0;
};

struct ScoreTarget {
  std::vector<ScoreTerm> terms;  // empty: the first scorer's score
  bool is_default() const { return terms.empty(); }
  // The blend of `scores`; nullopt naming nothing when a term's scorer has
  // no score there (missing() says which).
  std::optional<double> value(const schemas::ScoreMap& scores) const;
  std::string missing(const schemas::ScoreMap& scores) const;
};

// Throw std::invalid_argument with a reason (no key prefix: the caller's
// SettingProblem names the key).
// The workers' scorer names: `list` split at commas, or the backend's own.
std::vector<std::string> scorer_list(const std::string& list, const std::string& backend);
ScoreTarget parse_score_target(const std::string& text);
std::vector<std::string> parse_judges(const std::string& text);
// What a table calls the optimized score: score.optimize as written, or the
// first scorer's name when it is empty (the default).
std::string optimized_score_label(const std::string& optimize, const std::string& scorers,
                                  const std::string& backend);

// An item's scores by name: `scores` as a worker with several scorers
// sends them, or {first scorer: score} from a worker with one.
schemas::ScoreMap scores_of(double score, const schemas::ScoreMap& scores, const std::string& first_scorer);

}  // namespace bigpe::engine
