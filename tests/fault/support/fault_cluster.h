#pragma once
// FaultCluster: every process of a deployment as a separate child that a
// test can kill: a private redis-server (append-only file, restartable), a
// `bigpe broker` on fixed loopback ports (so a restarted one is found where
// the old one was), N `bigpe worker` processes with sim backends, and the
// scheduler (`bigpe run` / `bigpe resume`). A BrokerClient of its own asks
// the broker for STATUS.
//
// Everything is started from the constructing thread and stopped by the
// destructor (stopped workers are continued first, so none is left behind).
// Not thread-safe: one test thread drives a cluster.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/broker_client.h"
#include "common/child_process.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"

namespace bigpe::testing {

struct ClusterOptions {
  std::string dir;           // logs, redis data, run folders
  int workers = 3;
  int slots = 2;
  double sim_cost_ms = 20;   // long enough that kills find tasks in flight
  int heartbeat_ms = 200;    // broker and workers
  int liveness = 5;
  // > 0: the broker's --task-lease-ms, and every worker's sim batches hang
  // while its hang_file() exists (the compute-hang fault kind).
  int task_lease_ms = 0;
  bool hang_files = false;  // hang files without a lease
  // > 0: the workers' --redis-wait-ms (how long a lost Redis is waited for
  // before a worker leaves with status 4); 0: their default.
  int worker_redis_wait_ms = 0;
};

class FaultCluster {
 public:
  explicit FaultCluster(ClusterOptions options);
  ~FaultCluster();
  FaultCluster(const FaultCluster&) = delete;
  FaultCluster& operator=(const FaultCluster&) = delete;

  const ClusterOptions& options() const { return options_; }
  RedisServer& redis() { return *redis_; }
  std::string client_endpoint() const { return client_endpoint_; }

  // --- broker ---
  // `env` is added to the broker's environment (fault hooks).
  void start_broker(const std::map<std::string, std::string>& env = {});
  void kill_broker();
  ChildProcess& broker() { return *broker_; }
  // The live broker's log.
  std::string broker_log() const;
  // Sum of "requeueing N tasks" over the logs of every broker started: the
  // in-flight tasks the brokers took back from workers they lost.
  long long requeued_by_brokers() const;
  // STATUS from the live broker; nullopt when it does not answer in time.
  std::optional<schemas::StatusReply> status(std::chrono::milliseconds timeout);

  // --- workers (index 0 .. workers-1; a replacement takes the index) ---
  void start_worker(int index);
  ChildProcess& worker(int index) { return *workers_.at(static_cast<std::size_t>(index)); }
  const std::string& worker_id(int index) const { return worker_ids_.at(static_cast<std::size_t>(index)); }
  // True once the live broker's log says it removed that worker.
  bool broker_removed(const std::string& worker_id) const;
  // The file whose existence makes worker `index`'s next sim batch hang.
  std::string hang_file(int index) const { return path("hang-w" + std::to_string(index)); }
  // True once the live broker's log says a lease on that worker expired.
  bool lease_expired(const std::string& worker_id) const;
  int worker_count() const { return static_cast<int>(workers_.size()); }
  // The log of worker `index`'s current process.
  std::string worker_log(int index) const;

  // --- scheduler ---
  // Starts `bigpe ARGS...` from the source folder, logging to `log`.
  void start_scheduler(const std::vector<std::string>& args, const std::string& log);
  ChildProcess& scheduler() { return *scheduler_; }
  bool has_scheduler() const { return scheduler_ != nullptr; }

  // Log tails of every process, for failure messages.
  std::string diagnostics() const;

 private:
  std::string path(const std::string& name) const { return options_.dir + "/" + name; }

  ClusterOptions options_;
  std::unique_ptr<RedisServer> redis_;
  std::string client_endpoint_, worker_endpoint_;
  std::unique_ptr<ChildProcess> broker_;
  int broker_runs_ = 0;
  std::vector<std::unique_ptr<ChildProcess>> workers_;
  std::vector<int> worker_runs_;
  std::vector<std::string> worker_ids_;
  std::unique_ptr<ChildProcess> scheduler_;
  std::string scheduler_log_;
  std::unique_ptr<broker::BrokerClient> status_client_;
};

}  // namespace bigpe::testing
