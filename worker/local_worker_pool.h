#pragma once
// LocalWorkerPool: N workers inside this process, one thread each (the
// `workers: local` mode, and benchmarks). Each worker is a full Worker with
// its own broker connection, Redis connection and backends, so the pool
// behaves exactly like N worker processes, minus the processes.
//
// Thread-safety: start(), stop() and the destructor from one owning thread;
// stats() and failure() from any thread.
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "worker/backend_factory.h"
#include "worker/worker.h"

namespace bigpe {

class LocalWorkerPool {
 public:
  // `base` is every worker's options; worker i gets id <base.worker_id or
  // "local">-<i>. Builds (and connects) all workers here, so a bad setting
  // throws before any thread starts. REQUIRES: count >= 1.
  // `context`: the ZeroMQ context to share (an in-process broker's, for its
  // inproc endpoint); null: a new one.
  LocalWorkerPool(int count, const WorkerOptions& base, const BackendSettings& backends,
                  std::shared_ptr<zmq::context_t> context = nullptr);
  // One worker per entry of `backends` (e.g. one per GPU: the same model
  // folders, another device each). REQUIRES: !backends.empty().
  LocalWorkerPool(const std::vector<BackendSettings>& backends, const WorkerOptions& base,
                  std::shared_ptr<zmq::context_t> context = nullptr);
  ~LocalWorkerPool();  // stop()
  LocalWorkerPool(const LocalWorkerPool&) = delete;
  LocalWorkerPool& operator=(const LocalWorkerPool&) = delete;

  void start();  // one thread per worker, running Worker::run()
  void stop();   // stops every worker and joins its thread; idempotent

  int size() const { return static_cast<int>(workers_.size()); }
  // The backend identity every worker of the pool advertises (they are
  // built from the same settings).
  const std::string& identity() const { return workers_.front()->identity(); }
  schemas::RenderLimits limits() const { return workers_.front()->limits(); }
  Worker::Stats stats() const;  // summed over the workers
  // "local worker ID stopped: why" for the first worker whose run() failed
  // (lost Redis, its compute thread failed); empty while all serve.
  std::string failure() const;

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::string failure_;  // under mutex_
};

}  // namespace bigpe
