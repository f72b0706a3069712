#pragma once
// InProcessRenderService: the sim-v1 scorers called directly, with no broker,
// workers, images or Redis. Benchmarks that run thousands of experiments
// (bench optimizer) use it; the numbers are the same as through the workers
// because the sim renderer's image carries only (prompt, seed).
// Repeated (prompt, query, seed) are served from memory and counted cached.
// Not thread-safe.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/sim/sim_vocabulary.h"
#include "scheduler/render/render_service.h"
#include "scheduler/render/score_target.h"
#include "schemas/render_task.h"
#include "backends/sim/sim_constants.h"
#include "backends/sim/sim_judge_scorer.h"
#include "backends/sim/sim_scorer.h"

namespace bigpe::engine {

class InProcessRenderService : public RenderService {
 public:
  // params.options carries "sim.taste_seed", any "sim.<CONSTANT>" and
  // "sim.judge_rho". `scorers` as score.scorers names them ("sim",
  // "sim-judge"); empty: sim alone, and outcomes carry no `scores` (as a
  // dispatcher without names). `optimize` is score.optimize over them.
  // Throws std::invalid_argument for another scorer name or a bad option.
  InProcessRenderService(std::shared_ptr<const sim::Vocabulary> vocab, const schemas::RenderParams& params,
                         std::vector<std::string> scorers = {}, ScoreTarget optimize = {});

  std::vector<RenderOutcome> run(const std::vector<RenderJob>& jobs) override;
  void prefetch(const std::vector<RenderJob>&) override {}
  long renders_done() const override { return done_; }
  long renders_cached() const override { return cached_; }
  // Every outcome here is scored with its render, or cached.
  long renders_scored() const override { return 0; }
  double busy_ms() const override { return 0.0; }
  double wait_ms() const override { return 0.0; }

 private:
  RenderOutcome score(const RenderJob& job) const;

  SimScorer scorer_;
  SimJudgeScorer judge_;
  SimConstants constants_;
  int64_t taste_ = 0;
  double rho_ = kDefaultJudgeRho;
  std::vector<std::string> scorers_;
  ScoreTarget optimize_;
  std::unordered_map<std::string, RenderOutcome> cache_;
  long done_ = 0;
  long cached_ = 0;
};

}  // namespace bigpe::engine
