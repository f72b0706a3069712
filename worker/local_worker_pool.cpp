#include "worker/local_worker_pool.h"

#include <pthread.h>

#include <stdexcept>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

namespace bigpe {

LocalWorkerPool::LocalWorkerPool(int count, const WorkerOptions& base,
                                 const BackendSettings& backends,
                                 std::shared_ptr<zmq::context_t> context)
    : LocalWorkerPool(std::vector<BackendSettings>(count > 0 ? static_cast<std::size_t>(count) : 0, backends), base,
                      std::move(context)) {}

LocalWorkerPool::LocalWorkerPool(const std::vector<BackendSettings>& backends, const WorkerOptions& base,
                                 std::shared_ptr<zmq::context_t> context) {
  if (backends.empty()) throw std::invalid_argument("local workers: count must be at least 1");
  const std::string prefix = base.worker_id.empty() ? "local" : base.worker_id;
  // One ZeroMQ context (one I/O thread) for all: fewer threads to wake.
  if (!context) context = std::make_shared<zmq::context_t>(1);
  for (std::size_t i = 0; i < backends.size(); ++i) {
    WorkerOptions o = base;
    o.worker_id = prefix + "-" + std::to_string(i);
    if (backends[i].device != "auto") o.device = backends[i].device;
    workers_.push_back(
        std::make_unique<Worker>(o, make_renderer(backends[i]), make_scorers(backends[i]), context));
  }
}

LocalWorkerPool::~LocalWorkerPool() { stop(); }

void LocalWorkerPool::start() {
  if (!threads_.empty()) return;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    threads_.emplace_back([this, worker] {
      pthread_setname_np(pthread_self(), "bigpe-worker");
      try {
        worker->run();
      } catch (const std::exception& e) {
        const std::string why = "local worker " + worker->worker_id() + " stopped: " + e.what();
        spdlog::error("{}", why);
        std::lock_guard<std::mutex> lock(mutex_);
        if (failure_.empty()) failure_ = why;
      }
    });
  }
}

void LocalWorkerPool::stop() {
  for (auto& w : workers_) w->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::string LocalWorkerPool::failure() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

Worker::Stats LocalWorkerPool::stats() const {
  Worker::Stats total;
  for (const auto& w : workers_) {
    Worker::Stats s = w->stats();
    total.tasks += s.tasks;
    total.items += s.items;
    total.renders += s.renders;
    total.cache_hits += s.cache_hits;
    total.failures += s.failures;
  }
  return total;
}

}  // namespace bigpe
