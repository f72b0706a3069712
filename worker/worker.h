#pragma once
// Worker: one process (or thread) per GPU that takes render tasks from the
// broker, executes them (TaskExecutor: cache lookup, render, score, store)
// and replies. Stateless: everything it knows comes from the broker and
// Redis, so it can be killed and restarted at any time.
//
// Threads. zmq sockets are not thread-safe, and a GPU batch can take longer
// than the broker's patience, so the work is split in two:
//  - the I/O thread (the caller of run()) owns the DEALER to the broker. It
//    sends READY and the heartbeats, watches the broker's liveness,
//    reconnects with backoff, and hands each TASK to the compute thread;
//  - the compute thread takes every task waiting in a mutex-protected queue
//    (woken by a condition variable) and runs them as one batch, so that
//    their Redis reads and writes share a round trip. It sends each reply
//    back to the I/O thread over an inproc PUSH/PULL pair, which wakes the
//    I/O thread's zmq::poll.
// A heartbeat is therefore never late because of a long batch.
//
// Sessions. Each registration is a session with a number, sent in READY as
// READY.session ("<random per Worker>/<number>"). Tasks and replies carry
// their session: a task still queued, or a reply produced, after the
// session ended is dropped, because the broker has already given that task
// to someone else (its result is in Redis anyway, so the re-run is a cache
// hit). A new session starts when the broker stays silent for `liveness`
// heartbeat intervals (new socket, after a backoff that doubles from
// reconnect_initial to reconnect_max), and, with READY on the same socket,
// when the broker says DISCONNECT after acknowledging our READY (it is
// stopping, or no longer knows us) or its heartbeats carry a new instance
// id. A DISCONNECT before the acknowledgement (any message but DISCONNECT)
// is answered with READY of the same session, which the broker takes as a
// repeat, not a restart (schemas/README.md section 4, "Registration").
//
// Watchdog. The compute thread notes when each batch starts; the I/O thread
// puts how long it has run in every HEARTBEAT (busy_ms), and once that
// passes `watchdog` also stalled (shown by `bigpe status`) with a warning
// in the log. With watchdog_exit it then sends DISCONNECT (the broker
// requeues what it held at once) and ends the process with status
// kWatchdogExitCode, so that a supervisor (Slurm, systemd, the launch
// scripts) restarts it: a hung compute thread cannot be stopped or joined.
//
// Malformed frames from the broker are logged and dropped; a task that fails
// is answered with RESULT{error}; neither ever stops the worker. Losing
// Redis does (WorkerRedisLost): the tasks whose results could not be looked
// up or stored are not answered, the others are, then DISCONNECT.
//
// Thread-safety: run() is called once, from one thread. stop() and stats()
// are safe from any thread at any time (stop() before run() makes run()
// return at once).
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/curve_keys.h"
#include "common/redis/redis_client.h"
#include "backends/renderer.h"
#include "backends/scorer.h"
#include "schemas/prompt_limit.h"
#include "schemas/protocol.h"

namespace zmq {
class context_t;
}

namespace bigpe {

struct WorkerOptions {
  std::string broker_endpoint;        // e.g. tcp://127.0.0.1:5556
  RedisOptions redis;                 // used only when persist
  std::vector<std::string> services;  // at least one
  int slots = schemas::kDefaultSlots;  // tasks held at once (credit)
  std::string worker_id;              // empty = <host>-<pid>-<random>
  std::string host, device = "cpu";   // empty host = this machine's name
  std::string artifact_dir;           // empty = don't write images
  std::chrono::milliseconds heartbeat_interval = schemas::kHeartbeatInterval;
  int liveness = schemas::kHeartbeatLiveness;
  std::chrono::milliseconds reconnect_initial = schemas::kReconnectInitial;
  std::chrono::milliseconds reconnect_max = schemas::kReconnectMax;
  bool persist = true;  // false: no Redis at all (no cache, nothing stored)
  std::size_t max_prompt_chars = kDefaultMaxPromptChars;  // 0 = no limit
  broker::CurveClientKeys curve;  // CURVE to the broker when curve.enabled()
  // A batch running longer is reported stalled (GPU batches take seconds;
  // a CPU-only torch worker may need more).
  std::chrono::milliseconds watchdog{120000};
  bool watchdog_exit = false;  // then exit(kWatchdogExitCode): ends the whole process
};

inline constexpr int kWatchdogExitCode = 3;

// Thrown by Worker::run() when a batch found Redis unreachable for the
// whole reconnect window: a worker that cannot store results cannot serve
// (they go to Redis before the reply), so it has left the broker, which
// gives what it held to other workers. `bigpe worker` then exits with
// kRedisLostExitCode, for a supervisor to restart it.
class WorkerRedisLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
inline constexpr int kRedisLostExitCode = 4;

class Worker {
 public:
  // Validates the options (std::invalid_argument naming the option) and,
  // when persist, connects to Redis (RedisError naming the server).
  // `context`: a ZeroMQ context to share (local workers share one, and so
  // one ZeroMQ I/O thread); null = a context of its own.
  Worker(WorkerOptions options, std::unique_ptr<Renderer> renderer, std::unique_ptr<Scorer> scorer,
         std::shared_ptr<zmq::context_t> context = nullptr);
  // Several scorers (worker/scorer_set.h): every item gets each one's
  // score; the first one's is its `score`.
  Worker(WorkerOptions options, std::unique_ptr<Renderer> renderer, std::vector<std::unique_ptr<Scorer>> scorers,
         std::shared_ptr<zmq::context_t> context = nullptr);
  ~Worker();  // stops and joins (run() must have returned or never started)
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves the broker until stop(). On stop, the batch in progress is
  // finished and answered, queued tasks are dropped (the broker requeues
  // them) and DISCONNECT is sent. Throws for a broken setup (an endpoint
  // zmq refuses), WorkerRedisLost, or the compute thread's failure.
  void run();
  void stop();

  struct Stats {
    long tasks = 0;       // tasks answered with a result
    long items = 0;       // items in those tasks
    long renders = 0;     // items rendered (cache misses)
    long cache_hits = 0;  // items served from the cache
    long failures = 0;    // tasks answered with an error
  };
  Stats stats() const;

  const std::string& worker_id() const;
  // The backend identity it advertises in READY (backends/backend_identity.h).
  const std::string& identity() const;
  // The render params its renderer accepts, as its READY advertises them.
  schemas::RenderLimits limits() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bigpe
