#include "scheduler/run/infrastructure.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace bigpe::engine {

Infrastructure::Infrastructure(const ExperimentSettings& s, const std::string& run_dir) {
  if (s.redis == "auto") {
    RedisServerOptions ro;
    ro.data_dir = run_dir + "/redis";
    ro.fsync_always = s.redis_appendfsync == "always";
    redis_server_ = std::make_unique<RedisServer>(ro);
    redis_options_ = redis_server_->options();
  } else {
    redis_options_ = RedisOptions::from_url(s.redis);
    if (!s.redis_password_file.empty())
      redis_options_.password = RedisOptions::read_password_file(s.redis_password_file);
  }
  // Ride out a Redis restart (a crash, a failover) instead of stopping the
  // run: the append-only file brings the data back within seconds.
  redis_options_.reconnect_window = std::chrono::seconds(20);

  if (s.broker == "embedded") {
    broker::BrokerOptions bo;
    bo.client_endpoint = "tcp://127.0.0.1:0";
    bo.worker_endpoint = "tcp://127.0.0.1:0";
    broker_ = std::make_unique<broker::Broker>(bo);
    client_endpoint_ = broker_->client_endpoint();
    broker_thread_ = std::thread([this] { broker_->run(); });
  } else if (s.broker.rfind("tcp://", 0) == 0) {
    client_endpoint_ = s.broker;
  } else {
    throw std::invalid_argument("broker: expected 'embedded' or tcp://HOST:PORT, got '" + s.broker + "'");
  }

  if (s.workers == "local") {
    if (!broker_)
      throw std::invalid_argument("workers: local needs broker: embedded (start `bigpe worker` "
                                  "processes against a remote broker instead)");
    if (s.backend != "sim")
      throw std::invalid_argument("workers: local runs sim workers only; render.backend " + s.backend +
                                  " needs workers: remote (bigpe worker --backend " + s.backend + " --model DIR)");
    WorkerOptions wo;
    wo.broker_endpoint = broker_->inproc_worker_endpoint();
    wo.redis = redis_options_;
    wo.services = {s.service};
    wo.slots = s.worker_slots;
    wo.max_prompt_chars = s.max_prompt_chars;
    if (s.write_images) wo.artifact_dir = run_dir + "/images";
    BackendSettings bs;
    bs.backend = s.backend;
    bs.sim_cost_ms = s.sim_cost_ms;
    bs.sim_vocabulary = s.sim_vocabulary;
    workers_ = std::make_unique<LocalWorkerPool>(s.local_workers, wo, bs, broker_->context());
    workers_->start();
    local_workers_ = s.local_workers;
  }
}

Infrastructure::~Infrastructure() {
  if (workers_) workers_->stop();
  if (broker_) {
    broker_->stop();
    if (broker_thread_.joinable()) broker_thread_.join();
  }
  if (redis_server_) {
    try {
      redis_server_->stop();
    } catch (const std::exception& e) {
      spdlog::warn("stopping the private redis-server: {}", e.what());
    }
  }
}

std::unique_ptr<broker::BrokerClient> Infrastructure::connect_client(const std::string& client_id,
                                                                     broker::BrokerClientOptions options) const {
  if (!broker_) return std::make_unique<broker::BrokerClient>(client_endpoint_, client_id, options);
  options.context = broker_->context();
  return std::make_unique<broker::BrokerClient>(broker_->inproc_client_endpoint(), client_id, options);
}

std::string Infrastructure::describe() const {
  std::string d = "redis " + redis_options_.url_without_password() +
                  (redis_server_ ? " (private)" : "") + ", broker " + client_endpoint_ +
                  (broker_ ? " (embedded)" : "");
  if (local_workers_ > 0) d += ", " + std::to_string(local_workers_) + " local workers";
  return d;
}

}  // namespace bigpe::engine
