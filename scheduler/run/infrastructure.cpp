#include "scheduler/run/infrastructure.h"

#include <spdlog/spdlog.h>

#include "models/model_backends.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/experiment/local_devices.h"
#include "scheduler/experiment/score_model_folders.h"

namespace bigpe::engine {

Infrastructure::Infrastructure(const ExperimentSettings& s, const std::string& run_dir) {
  // The check `bigpe run` makes before it creates anything (experiment_checks.h).
  refuse_setting_problems(infrastructure_problems(s));
  if (s.redis == "auto") {
    RedisSupervisorOptions ro;
    ro.server.data_dir = run_dir + "/redis";
    ro.server.fsync_always = s.redis_appendfsync == "always";
    ro.max_restarts = s.redis_restarts;
    redis_server_ = std::make_unique<RedisSupervisor>(ro);
    redis_options_ = redis_server_->options();
  } else {
    redis_options_ = RedisOptions::from_url(s.redis);
    if (!s.redis_password_file.empty())
      redis_options_.password = RedisOptions::read_password_file(s.redis_password_file);
  }
  // Ride out a Redis restart (a crash, a failover) instead of stopping the
  // run: the append-only file brings the data back within seconds.
  redis_options_.reconnect_window = RedisOptions::kRestartWindow;

  if (s.broker == "embedded") {
    broker::BrokerOptions bo;
    bo.client_endpoint = "tcp://127.0.0.1:0";
    bo.worker_endpoint = "tcp://127.0.0.1:0";
    broker_ = std::make_unique<broker::Broker>(bo);
    client_endpoint_ = broker_->client_endpoint();
    broker_thread_ = std::thread([this] {
      // Nothing restarts an embedded broker: its failure ends the run
      // (resumable), never the process (std::terminate).
      try {
        broker_->run();
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(broker_mutex_);
        broker_failure_ = std::string("the embedded broker stopped: ") + e.what();
        spdlog::error("{}", broker_failure_);
      }
    });
  } else {
    client_endpoint_ = s.broker;  // tcp://HOST:PORT
  }

  if (s.workers == "local") {
    WorkerOptions wo;
    wo.broker_endpoint = broker_->inproc_worker_endpoint();
    wo.redis = redis_options_;
    wo.services = {s.dispatch.service};
    wo.slots = s.worker_slots;
    wo.max_prompt_chars = s.dispatch.max_prompt_chars;
    if (s.write_images) wo.artifact_dir = run_dir + "/images";
    BackendSettings bs;
    bs.backend = s.backend;
    bs.sim_cost_ms = s.sim_cost_ms;
    bs.sim_vocabulary = s.sim_vocabulary;
    bs.scorer = s.score_scorers;
    std::vector<BackendSettings> per_worker(static_cast<std::size_t>(s.local_workers), bs);
    if (s.backend == "torchscript-sd") {
      // One worker per device, each loading the model folders onto its own.
      bs.model_dir = s.render_model;
      bs.scorer_model_dirs = score_model_folders(s.score_model);  // each serves the scorer of its family
      per_worker.clear();
      for (const std::string& device : local_devices(s.render_devices, models::cuda_device_count())) {
        bs.device = device;
        per_worker.push_back(bs);
      }
      spdlog::info("local torchscript-sd workers: {} on {}", per_worker.size(), s.render_devices);
    }
    workers_ = std::make_unique<LocalWorkerPool>(per_worker, wo, broker_->context());
    workers_->start();
    local_workers_ = static_cast<int>(per_worker.size());
  }
}

Infrastructure::~Infrastructure() {
  if (workers_) workers_->stop();
  if (broker_) {
    broker_->stop();
    if (broker_thread_.joinable()) broker_thread_.join();
  }
  redis_server_.reset();  // it logs its own trouble stopping
}

std::string Infrastructure::failure() const {
  // The root cause first: without Redis, workers stop too.
  if (redis_server_)
    if (std::string why = redis_server_->failure(); !why.empty()) return why;
  {
    std::lock_guard<std::mutex> lock(broker_mutex_);
    if (!broker_failure_.empty()) return broker_failure_;
  }
  return workers_ ? workers_->failure() : std::string();
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
