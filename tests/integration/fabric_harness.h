#pragma once
// Test harness for the task fabric: a real broker (in-process thread or a
// `bigpe broker` child), real `bigpe worker` child processes, a real
// redis-server (RedisFixture) and a BrokerClient as the scheduler. Shared
// by worker_test and fabric_fault_test. Heartbeats are 100 ms so liveness
// and reconnects take fractions of a second; every wait polls a condition
// against a deadline.
//
// Not thread-safe: everything here belongs to the test's main thread.
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "backends/backend_identity.h"
#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"
#include "broker/broker.h"
#include "broker/broker_client.h"
#include "common/child_process.h"
#include "common/content_hash.h"
#include "common/redis/redis_client.h"
#include "schemas/messages.h"
#include "schemas/render_task.h"
#include "worker/worker.h"

namespace bigpe::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline constexpr auto kHeartbeat = 100ms;
inline constexpr int kLiveness = 5;
inline constexpr auto kDeadline = 30s;  // upper bound on any wait
inline constexpr const char* kService = "sim+sim";

inline broker::BrokerOptions broker_options(int max_attempts = 3) {
  broker::BrokerOptions o;
  o.client_endpoint = "tcp://127.0.0.1:*";
  o.worker_endpoint = "tcp://127.0.0.1:*";
  o.heartbeat_interval = kHeartbeat;
  o.liveness = kLiveness;
  o.max_attempts = max_attempts;
  return o;
}

inline broker::BrokerClientOptions client_options() {
  return broker::BrokerClientOptions{kHeartbeat, kLiveness, 600000ms};
}

// A Broker serving in a thread for the lifetime of this object.
class InProcessBroker {
 public:
  explicit InProcessBroker(broker::BrokerOptions options) : broker_(std::move(options)) {
    thread_ = std::thread([this] { broker_.run(); });
  }
  ~InProcessBroker() {
    broker_.stop();
    thread_.join();
  }
  std::string client_endpoint() const { return broker_.client_endpoint(); }
  std::string worker_endpoint() const { return broker_.worker_endpoint(); }

 private:
  broker::Broker broker_;
  std::thread thread_;
};

// Options of an in-process sim worker on `broker_endpoint`, storing in
// `redis`, serving kService with the harness's heartbeat.
inline WorkerOptions sim_worker_options(const std::string& broker_endpoint, const RedisOptions& redis) {
  WorkerOptions wo;
  wo.broker_endpoint = broker_endpoint;
  wo.redis = redis;
  wo.services = {kService};
  wo.heartbeat_interval = kHeartbeat;
  wo.liveness = kLiveness;
  return wo;
}

inline std::string file_tail(const std::string& path, std::size_t bytes = 3000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

// A `bigpe worker` child process; its log goes to <dir>/<id>.log.
class WorkerProcess {
 public:
  WorkerProcess(const std::string& dir, const std::string& id, const std::string& broker,
                const std::string& redis_url, std::vector<std::string> extra = {})
      : log_(dir + "/" + id + ".log") {
    ChildProcessOptions o;
    o.argv = {BIGPE_EXE, "--log-level", "debug", "worker", "--broker", broker, "--redis", redis_url,
              "--service", kService, "--backend", "sim", "--worker-id", id,
              "--heartbeat-ms", std::to_string(kHeartbeat.count()),
              "--liveness", std::to_string(kLiveness), "--reconnect-ms", "100",
              "--reconnect-max-ms", "400"};
    for (auto& a : extra) o.argv.push_back(a);
    o.stdout_path = log_;
    o.stderr_path = log_;
    child_ = std::make_unique<ChildProcess>(o);
  }
  ChildProcess& child() { return *child_; }
  std::string log() const { return file_tail(log_); }

 private:
  std::string log_;
  std::unique_ptr<ChildProcess> child_;
};

// The backend identity of a `bigpe worker --backend sim` with the default
// vocabulary: the one every task for WorkerProcess workers must name.
inline std::string sim_worker_identity() {
  static const std::string id = backend_identity(
      SimRenderer{}, SimScorer(std::make_shared<const sim::Vocabulary>(
                         sim::Vocabulary::load(sim::default_vocabulary_path()))));
  return id;
}

// One task of `n` items with distinct prompts "<prefix> <i>"; keys are the
// real cache keys.
inline schemas::TaskEnvelope make_task(const std::string& task_id, const std::string& prefix, int n,
                                       std::map<std::string, std::string> options = {},
                                       const std::string& experiment = "exp1",
                                       const std::string& identity = sim_worker_identity()) {
  schemas::RenderTask t;
  t.experiment_id = experiment;
  t.service = kService;
  t.identity = identity;
  t.params.options = std::move(options);
  for (int i = 0; i < n; ++i) {
    schemas::RenderItem it;
    it.prompt = prefix + " " + std::to_string(i) + ", highly detailed";
    it.score_text = prefix;
    it.seed = 1000 + i;
    it.key = result_key(t.service, t.identity, it.prompt, it.score_text, it.seed, t.params);
    t.items.push_back(std::move(it));
  }
  return schemas::TaskEnvelope{task_id, experiment, kService, schemas::encode(t), identity};
}

struct Outcomes {
  std::map<std::string, schemas::Result> results;
  std::map<std::string, schemas::Failed> failed;
  std::size_t size() const { return results.size() + failed.size(); }
};

// Polls the client until `expected` tasks are answered or the deadline;
// `tick` runs between polls (e.g. to restart dead workers).
inline Outcomes collect(broker::BrokerClient& client, std::size_t expected,
                        const std::function<void(const Outcomes&)>& tick = nullptr) {
  Outcomes out;
  const auto deadline = Clock::now() + kDeadline;
  while (out.size() < expected && Clock::now() < deadline) {
    for (auto& e : client.poll(50ms)) {
      if (e.kind == broker::BrokerClient::Event::Kind::kResult)
        out.results[e.result.task_id] = e.result;
      else
        out.failed[e.failed.task_id] = e.failed;
    }
    if (tick) tick(out);
  }
  return out;
}

// Waits until the broker reports `n` workers (true) or the deadline.
inline bool wait_for_workers(broker::BrokerClient& client, int64_t n) {
  const auto deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    try {
      if (client.status(1000ms).workers == n) return true;
    } catch (const std::exception&) {
      // No reply yet (broker starting): ask again.
    }
  }
  return false;
}

inline long long count_keys(RedisClient& redis, const std::string& pattern) {
  return static_cast<long long>(redis.command({"KEYS", pattern}).elements.size());
}

inline long long counter(RedisClient& redis, const std::string& key) {
  RedisReply r = redis.command({"GET", key});
  return r.is_nil() ? 0 : std::stoll(r.str);
}

inline long long renders_total(RedisClient& redis) {
  RedisReply r = redis.command({"HVALS", "bigpe:stats:renders"});
  long long total = 0;
  for (auto& e : r.elements) total += std::stoll(e.str);
  return total;
}

}  // namespace bigpe::testing
