#pragma once
// RenderDispatcher: renders and scores a set of prompts through the broker,
// all at once, and waits for every result.
//
// Jobs with the same cache key are merged; keys already in Redis are never
// submitted (the workers check again, so a race only costs a lookup). Task
// ids are derived from the keys they carry, so a resubmission after a
// scheduler restart is recognised by the broker as the same task.
// Not thread-safe: the scheduler thread owns it.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/broker_client.h"
#include "common/redis_client.h"
#include "schemas/render_task.h"

namespace bigpe::engine {

struct RenderJob {
  std::string prompt;
  std::string score_text;
  int64_t seed = 0;
};

struct RenderOutcome {
  double score = 0.0;
  std::string key;
  std::string image_uri;
  bool cached = false;
};

struct DispatchSettings {
  std::string experiment_id;
  std::string service;
  schemas::RenderParams params;
  int items_per_task = 1;
};

class RenderFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RenderDispatcher {
 public:
  // REQUIRES: client and redis outlive the dispatcher.
  RenderDispatcher(broker::BrokerClient& client, RedisClient& redis, DispatchSettings settings);

  // One outcome per job, in order. Throws RenderFailed naming the task and
  // the reasons of each attempt when a task ends FAILED (the other tasks'
  // results are already stored by the workers, so nothing is lost).
  std::vector<RenderOutcome> run(const std::vector<RenderJob>& jobs);

  std::string key_of(const RenderJob& job) const;
  long renders_done() const { return renders_done_; }
  long renders_cached() const { return renders_cached_; }

 private:
  broker::BrokerClient& client_;
  RedisClient& redis_;
  DispatchSettings settings_;
  long renders_done_ = 0;
  long renders_cached_ = 0;
};

}  // namespace bigpe::engine
