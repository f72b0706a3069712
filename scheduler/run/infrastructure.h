#pragma once
// Infrastructure: the services an experiment runs on, started as its config
// says. `redis: auto` starts a private redis-server whose append-only file
// lives in <run>/redis (a resumed run reopens it); `broker: embedded` runs
// a broker in a thread on ephemeral loopback ports (and on inproc endpoints,
// which this process's scheduler and local workers use: no TCP and no
// ZeroMQ I/O thread between them); `workers: local` starts in-process
// workers. Remote services are only addressed, never
// started. Destruction stops what was started, workers first.
//
// What it started can fail under a run: the private redis-server is
// restarted (RedisSupervisor, at most `redis_restarts` times); the embedded
// broker's thread and the local workers catch what ends them and report it
// in one log line. failure() then says why the run cannot go on, for the
// scheduler to stop (resumable) instead of waiting on what will not come.
//
// Thread-safety: failure() from any thread; the rest from the owner's.
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "broker/broker.h"
#include "broker/broker_client.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_supervisor.h"
#include "scheduler/experiment/experiment_config.h"
#include "worker/local_worker_pool.h"

namespace bigpe::engine {

class Infrastructure {
 public:
  // Throws std::invalid_argument for what infrastructure_problems()
  // refuses (experiment_checks.h), std::runtime_error naming the service
  // that failed to start.
  Infrastructure(const ExperimentSettings& settings, const std::string& run_dir);
  ~Infrastructure();
  Infrastructure(const Infrastructure&) = delete;
  Infrastructure& operator=(const Infrastructure&) = delete;

  const RedisOptions& redis() const { return redis_options_; }
  // The broker's address for other processes (status, remote schedulers).
  const std::string& client_endpoint() const { return client_endpoint_; }
  // A client for a scheduler in this process: over inproc to an embedded
  // broker, else to client_endpoint().
  std::unique_ptr<broker::BrokerClient> connect_client(const std::string& client_id,
                                                       broker::BrokerClientOptions options) const;
  std::string describe() const;
  // The backend identity of the local workers; empty without them.
  std::string local_identity() const { return workers_ ? workers_->identity() : std::string(); }
  // What the local workers' renderer accepts; empty without them.
  schemas::RenderLimits local_limits() const { return workers_ ? workers_->limits() : schemas::RenderLimits{}; }
  bool local_workers() const { return workers_ != nullptr; }
  // Why a service started here is gone for good (the private redis-server
  // could not be restarted, the embedded broker's thread failed, a local
  // worker stopped); empty while all serve.
  std::string failure() const;

 private:
  std::unique_ptr<RedisSupervisor> redis_server_;
  RedisOptions redis_options_;
  std::unique_ptr<broker::Broker> broker_;
  std::thread broker_thread_;
  mutable std::mutex broker_mutex_;
  std::string broker_failure_;  // under broker_mutex_
  std::string client_endpoint_;
  std::unique_ptr<LocalWorkerPool> workers_;
  int local_workers_ = 0;
};

}  // namespace bigpe::engine
