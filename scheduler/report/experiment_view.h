#pragma once
// One experiment's progress as `bigpe status` and `bigpe serve` show it:
// status, phase, iterations done of planned, renders done, cached and
// scored only, the best batch score so far, and the render and iteration
// rates of the last iteration (from its event stream). Read from the meta hash, the committed
// state and the events, never written.
//
// Thread-safety: one thread (it drives a RedisClient).
#include <string>

#include "common/redis/redis_client.h"
#include "scheduler/agents/agent_counters.h"

namespace bigpe::engine {

struct ExperimentView {
  std::string id;
  std::string label;  // variant.rK inside a campaign
  std::string campaign_id;
  std::string status;  // running | stopped | finished | failed | killed | not started
  std::string reason;
  int iterations_done = 0;
  int iterations = 0;
  long render_budget = 0;  // budget.renders (0: none): the run ends when it is spent
  long renders_spent = 0;  // what the budget counts (experiment_state.h)
  bool evaluated = false;
  std::string phase = "-";  // training | evaluation | done (what the run is doing)
  long renders_done = 0;
  long renders_cached = 0;
  long renders_scored = 0;  // scored only: stored images, new scorers
  AgentTally llm;
  bool has_best = false;
  double best = 0.0;
  double rate = 0.0;               // renders per second over the last iteration
  double seconds_per_iteration = 0.0;  // over the last iteration; 0 when unknown
  // How much of the training is done, 0..1: iterations done of planned, or
  // of a render budget renders spent, whichever is further (a budget run
  // plans more iterations than it will ever reach); 1 once training ended.
  double progress() const;
  // Seconds of training left at the last iteration's pace; < 0 when unknown.
  double eta_seconds() const;
};

// `owner_gone`: nobody runs the folder (the reader started its
// redis-server), so a stored "running" is a process that died without
// recording its stop: shown as "killed".
ExperimentView view_of(RedisClient& redis, const std::string& id, bool owner_gone);

}  // namespace bigpe::engine
