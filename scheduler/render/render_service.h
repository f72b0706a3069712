#pragma once
// RenderService: how the engine gets prompts rendered and scored.
//
// run() renders every job (all submitted at once) and returns one outcome
// per job, in order; prefetch() starts jobs whose results a later run() will
// ask for. Implementations: RenderDispatcher (through the broker to the
// workers, results cached in Redis) and InProcessRenderService (the sim
// scorer called directly; for benchmarks that run thousands of experiments).
// Not thread-safe: the scheduler thread owns it.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "schemas/render_task.h"

namespace bigpe::engine {

struct RenderJob {
  std::string prompt;
  std::string score_text;
  int64_t seed = 0;
};

struct RenderOutcome {
  double score = 0.0;  // what the loop optimizes: score.optimize of `scores`
  std::string key;
  std::string image_uri;
  bool cached = false;
  // Every scorer's score by name (score_target.h scores_of): the judges'
  // come from here. Empty from a service that knows no names (in process).
  schemas::ScoreMap scores;
  // Not cached, and not rendered either: a stored image scored by scorers
  // new to it (schemas/README.md section 6, `rendered`).
  bool scored_only = false;
};

// What run() has delivered, by where it came from; a snapshot, so that
// the difference of two is what came in between.
struct RenderCounts {
  long done = 0;    // rendered by a worker
  long cached = 0;  // served from a cache
  long scored = 0;  // scored only: a stored image, new scorers
};
inline RenderCounts operator-(const RenderCounts& a, const RenderCounts& b) {
  return {a.done - b.done, a.cached - b.cached, a.scored - b.scored};
}

class RenderFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RenderService {
 public:
  virtual ~RenderService() = default;
  // Throws RenderFailed naming what failed.
  virtual std::vector<RenderOutcome> run(const std::vector<RenderJob>& jobs) = 0;
  virtual void prefetch(const std::vector<RenderJob>& jobs) = 0;
  // Takes in results that arrived and submits tasks waiting for room,
  // without waiting: called while the scheduler waits on something else
  // (the LLM), so workers stay fed and results are seen when they come.
  virtual void pump() {}
  // Renders delivered by run(), by where they came from (each
  // implementation says how it counts repeats).
  virtual long renders_done() const = 0;    // rendered by a worker
  virtual long renders_cached() const = 0;  // served from a cache
  virtual long renders_scored() const = 0;  // scored only (RenderOutcome::scored_only)
  RenderCounts counts() const { return {renders_done(), renders_cached(), renders_scored()}; }
  virtual double busy_ms() const = 0;       // worker time of renders done
  virtual double wait_ms() const = 0;       // time run() spent waiting
};

}  // namespace bigpe::engine
