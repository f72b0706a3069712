#pragma once
// RenderDispatcher: renders and scores prompts through the broker.
//
// run() submits every job at once and waits for all of them; prefetch()
// submits jobs whose results will be needed later (the next iteration's
// professional prompts, the evaluation's fixed arms) so that workers stay
// busy while the scheduler waits on stragglers or on the LLM. Results that
// arrive for either are kept until a run() asks for them.
//
// Jobs with the same cache key are merged; keys already in Redis are never
// submitted (the workers check again, so a race only costs a lookup); a key
// already submitted is waited for, not submitted twice. Task ids derive from
// the keys they carry, so a resubmission after a restart is the same task.
//
// Bounded: at most `max_in_flight` tasks are submitted and unanswered at
// once; the rest wait here (the jobs of run() ahead of prefetched ones) and
// go out as results come back, so neither the broker's queue nor this
// process's in-flight table grows with the size of an iteration. A job whose
// prompt exceeds `max_prompt_chars` is refused before anything is submitted.
// Not thread-safe: the scheduler thread owns it.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "broker/broker_client.h"
#include "common/redis/redis_client.h"
#include "scheduler/render/render_service.h"
#include "scheduler/render/score_target.h"
#include "schemas/render_task.h"

namespace bigpe::engine {

// run() waiting this long without a result asks the broker who serves the
// service and logs it (a service no worker serves would wait without a
// word), then again at every repeat interval while the silence lasts.
inline constexpr std::chrono::milliseconds kQuietWarningAfter{10000};
inline constexpr std::chrono::milliseconds kQuietWarningRepeat{60000};

struct DispatchSettings {
  std::string experiment_id;
  std::string service;
  // The backend identity the workers must have (scheduler/run/
  // backend_identity_check.h): in every key, task and SUBMIT.
  std::string identity;
  schemas::RenderParams params;
  // The workers' scorer names, the first giving `score` (score.scorers),
  // and what each outcome's score is (score.optimize): score_target.h.
  // Filled per run (experiment_wiring.cpp); empty scorers: outcomes carry
  // the workers' score alone, as before.
  std::vector<std::string> scorers;
  ScoreTarget optimize;
  int items_per_task = 1;
  std::size_t max_in_flight = 4096;     // tasks submitted and unanswered; 0 = no bound
  std::size_t max_prompt_chars = 8192;  // render.max_prompt_chars; 0 = no limit
  std::chrono::milliseconds quiet_warning_after = kQuietWarningAfter;
  std::chrono::milliseconds quiet_warning_repeat = kQuietWarningRepeat;
  // Asked while run() waits: why the services it waits on are gone for
  // good (Infrastructure::failure()), which ends the wait with that reason
  // as a std::runtime_error. Empty function or empty answer: wait on.
  std::function<std::string()> dependency_lost;
  // Told, as each result a worker worked on (rendered, or scored only; not
  // cached) arrives, which worker made it and its render + score time
  // (timing.timeline).
  std::function<void(const std::string& worker_id, double busy_ms)> on_rendered;
};

class RenderDispatcher : public RenderService {
 public:
  // REQUIRES: client and redis outlive the dispatcher.
  RenderDispatcher(broker::BrokerClient& client, RedisClient& redis, DispatchSettings settings);

  // One outcome per job, in order. Throws RenderFailed naming the task and
  // the reasons of each attempt when a task it needs ended FAILED (results
  // of the other tasks are already stored by the workers: nothing is lost).
  std::vector<RenderOutcome> run(const std::vector<RenderJob>& jobs) override;

  // Submits jobs without waiting for them.
  void prefetch(const std::vector<RenderJob>& jobs) override;
  void pump() override;

  std::string key_of(const RenderJob& job) const;
  // Each distinct key counts once, when a run() first returns it: done if a
  // worker rendered it, cached if it came from Redis (looked up here, or
  // found there by the worker), scored if a worker only scored its stored
  // image (RenderOutcome::scored_only). Never at prefetch time, so a fresh run and a
  // fully cached one count the same renders at the same point; a prefetched
  // key that no run() asks for is not counted.
  long renders_done() const override { return renders_done_; }
  long renders_cached() const override { return renders_cached_; }
  long renders_scored() const override { return renders_scored_; }
  // Worker time (render + score) reported by the results received.
  double busy_ms() const override { return busy_ms_; }
  // Time run() spent waiting for results.
  double wait_ms() const override { return wait_ms_; }

 private:
  // Looks up and submits whatever of `keys` is neither known nor pending;
  // `urgent` tasks (run()'s) go ahead of those already waiting.
  void submit_missing(const std::vector<RenderJob>& jobs, const std::vector<std::string>& keys,
                      bool urgent);
  // Submits waiting tasks while fewer than max_in_flight are unanswered.
  void top_up();
  // Throws RenderFailed for a prompt over max_prompt_chars.
  void check_prompts(const std::vector<RenderJob>& jobs) const;
  // Returns how many results or failures arrived.
  std::size_t handle_events(std::chrono::milliseconds timeout);
  // The outcome of one item: its scores by name and the optimized one;
  // sets `why` instead when score.optimize names a score it lacks.
  RenderOutcome outcome_of(const std::string& key, double score, const schemas::ScoreMap& scores,
                           const std::string& image_uri, bool cached, std::string& why) const;
  // Logs who serves the service (broker STATUS) after a silence.
  void warn_quiet(std::chrono::milliseconds silent_for);

  broker::BrokerClient& client_;
  RedisClient& redis_;
  DispatchSettings settings_;
  std::unordered_map<std::string, RenderOutcome> done_;       // by key
  std::unordered_set<std::string> pending_;                    // submitted keys
  std::unordered_map<std::string, std::vector<std::string>> task_keys_;  // task id -> keys
  std::unordered_map<std::string, std::string> failed_;        // key -> reason
  std::deque<schemas::TaskEnvelope> waiting_;                  // built, not yet submitted
  std::unordered_set<std::string> counted_;                    // keys a run() has returned
  long renders_done_ = 0;
  long renders_cached_ = 0;
  long renders_scored_ = 0;
  double busy_ms_ = 0.0;
  double wait_ms_ = 0.0;
};

}  // namespace bigpe::engine
