#pragma once
// SimJudgeScorer ("sim-judge"): a second sim-v1 reward model that agrees only
// partly with the one being optimized (docs/sim-v1.md section 1.2), the
// offline stand-in for "optimize HPS v2, judge by PickScore". Same formula
// as SimScorer, whose code it runs; what differs is the hidden taste and the
// noise:
//
//   w'_m - MU = rho*(w_m - MU) + sqrt(1 - rho^2)*z_m
//
// w_m are SimScorer's weights (same taste seed, same query) and z_m a unit
// normal from the judge's own hash stream "sim-judge-v1"; the seed noise n'
// comes from that stream too (another model, its own noise), while the
// query offset q is shared (it is the query's difficulty). rho = 1 gives
// SimScorer's weights bit for bit; rho = 0 an independent taste.
//
// Thread-safety: as SimScorer (explain, score_prompt and weight are safe to
// call concurrently).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backends/scorer.h"
#include "backends/sim/sim_constants.h"
#include "backends/sim/sim_scorer.h"
#include "backends/sim/sim_vocabulary.h"

namespace bigpe {

class SimJudgeScorer : public Scorer {
 public:
  // REQUIRES: vocab != nullptr.
  explicit SimJudgeScorer(std::shared_ptr<const sim::Vocabulary> vocab);

  // The judge's terms of `prompt` against `query` (image `seed`, taste
  // `taste`) at agreement `rho` in [-1, 1]; noise is the judge's n'.
  // Throws std::invalid_argument when rho is outside [-1, 1].
  SimScorer::Breakdown explain(const std::string& prompt, const std::string& query, int64_t seed,
                               int64_t taste, double rho, const SimConstants& c) const;
  double score_prompt(const std::string& prompt, const std::string& query, int64_t seed,
                      int64_t taste, double rho, const SimConstants& c) const;
  // w'_m(X) for any phrase, as SimScorer::weight.
  double weight(const std::string& phrase, const std::string& query, int64_t taste, double rho,
                const SimConstants& c) const;

  // As SimScorer::score, with rho from params.options["sim.judge_rho"]
  // (default 0.5). Throws std::runtime_error on a size mismatch or a bad
  // option (naming it and its value).
  std::vector<double> score(const std::vector<Image>& images,
                            const std::vector<std::string>& texts,
                            const schemas::RenderParams& params) override;

  std::string name() const override { return "sim-judge"; }
  // SimScorer's options and "sim.judge_rho".
  std::vector<std::string> option_names() const override;
  // "sim-judge-v1;vocab=<vocabulary_hash>"; rho, taste and constants come
  // with each task's options.
  std::string identity() const override { return identity_; }
  // Scores the prompt text, like sim: an image record re-scores without its PNG.
  bool reads_pixels() const override { return false; }

  // The optimized scorer whose taste this judge mixes with its own.
  const SimScorer& optimized() const { return sim_; }

 private:
  SimScorer sim_;
  std::string identity_;
};

// The default of option sim.judge_rho.
inline constexpr double kDefaultJudgeRho = 0.5;

// Reads options["sim.judge_rho"] (default kDefaultJudgeRho). Throws
// std::invalid_argument naming the option and its value when it is not a
// number in [-1, 1].
double sim_judge_rho(const std::map<std::string, std::string>& options);

}  // namespace bigpe
