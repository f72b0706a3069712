#pragma once
// SimScorer: the hidden preference model of the sim-v1 benchmark
// (docs/sim-v1.md section 1, reproduced exactly, golden values in
// tests/unit/backends/sim/sim_scorer_test.cpp). It scores the *prompt text* stored in an
// Image by the sim renderer against the plain query, never pixels:
//
//   score = B0 + QSD*q + D_FID*F + (LAM + (1-LAM)*F)*A - BETA*max(0, E-E0) + SD*n
//
// F = subject fidelity, A = aesthetic value of matched vocabulary
// modifiers (weights hidden per taste seed), E = extra words, q = per-query
// offset, n = seed noise.
//
// The judge (SimJudgeScorer, sim_judge_scorer.h; section 1.2) is this same
// formula with a second taste mixed into the weights' hash normals and a
// noise stream of its own; it reaches the formula through the private
// compute() below, so there is one copy of it.
//
// Thread-safety: explain, score_prompt and weight are safe to call
// concurrently (an internal per-(taste, query) weight cache is guarded by
// a mutex). Scorer::score is also safe, though the interface does not
// require it.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/sim/sim_vocabulary.h"
#include "backends/scorer.h"
#include "backends/sim/sim_constants.h"

namespace bigpe {

class SimScorer : public Scorer {
 public:
  // REQUIRES: vocab != nullptr.
  explicit SimScorer(std::shared_ptr<const sim::Vocabulary> vocab);

  struct Breakdown {
    double fidelity = 0;       // F in [0, 1]
    double aesthetic = 0;      // A
    double extra_words = 0;    // E
    double query_offset = 0;   // q
    double noise = 0;          // n (unit sd; enters the score as SD*n)
    double deterministic = 0;  // score - SD*n
    double score = 0;
    std::vector<std::string> matched;  // distinct matched phrases, in order
  };

  // All terms of the score of `prompt` (rendered with image `seed`) against
  // `query` under taste seed `taste`.
  Breakdown explain(const std::string& prompt, const std::string& query, int64_t seed,
                    int64_t taste, const SimConstants& c) const;

  // explain(...).score without building the breakdown: the hot path.
  double score_prompt(const std::string& prompt, const std::string& query, int64_t seed,
                      int64_t taste, const SimConstants& c) const;

  // w_m(X): the hidden weight of modifier `phrase` (normalized here) for
  // `query` under `taste`. Works for any phrase, in the vocabulary or not.
  double weight(const std::string& phrase, const std::string& query, int64_t taste,
                const SimConstants& c) const;

  // Scores image.prompt rendered with image.seed against texts[i]. Taste
  // from params.options["sim.taste_seed"] (default 0), constants from
  // SimConstants::from_options(params.options). Throws std::runtime_error on
  // a size mismatch or a bad option (naming it).
  std::vector<double> score(const std::vector<Image>& images,
                            const std::vector<std::string>& texts,
                            const schemas::RenderParams& params) override;

  std::string name() const override { return "sim"; }
  // "sim.taste_seed" and the constants of SimConstants::option_names().
  std::vector<std::string> option_names() const override;
  // "sim-v1;vocab=<vocabulary_hash>": the benchmark's definition and the
  // vocabulary that decides which phrases count (docs/sim-v1.md section 1).
  // Constants and taste come with each task's options, so they are not here.
  std::string identity() const override { return identity_; }
  // The score is a function of the prompt text and the seed only.
  bool reads_pixels() const override { return false; }

  const sim::Vocabulary& vocabulary() const { return *vocab_; }

 private:
  friend class SimJudgeScorer;
  // The judge's share of its own taste: each weight hash normal h of this
  // scorer becomes rho*h + own*h_judge (own = sqrt(1 - rho^2)), and the noise
  // comes from the judge's stream. Null everywhere for the sim score itself.
  struct JudgeMix {
    double rho;
    double own;
    double of(double h, double h_judge) const { return rho * h + own * h_judge; }
  };
  struct QueryTerms;  // per (stream, taste, query): C, q and the weight normals
  double compute(const std::string& prompt, const std::string& query, int64_t seed,
                 int64_t taste, const SimConstants& c, const JudgeMix* judge,
                 Breakdown* out) const;
  double mixed_weight(const std::string& phrase, const std::string& query, int64_t taste,
                      const SimConstants& c, const JudgeMix* judge) const;
  // `stream` is the first part of every hash key: "sim-v1", or the judge's.
  std::shared_ptr<const QueryTerms> query_terms(const std::string& stream,
                                                const std::string& query, int64_t taste) const;
  std::shared_ptr<const std::vector<double>> global_weights(const std::string& stream,
                                                            int64_t taste) const;

  std::shared_ptr<const sim::Vocabulary> vocab_;
  std::string identity_;
  mutable std::mutex mu_;
  // Keyed by "stream|taste|query". Holds unit hash normals only, so the
  // constants (which may differ per call) are applied at use.
  mutable std::unordered_map<std::string, std::shared_ptr<const QueryTerms>> cache_;
  // Keyed by "stream|taste".
  mutable std::unordered_map<std::string, std::shared_ptr<const std::vector<double>>> global_;
};

// Reads params.options["sim.taste_seed"] (default 0). Throws
// std::invalid_argument naming the option when it is not an integer.
int64_t sim_taste_seed(const std::map<std::string, std::string>& options);

}  // namespace bigpe
