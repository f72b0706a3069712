#pragma once
// The broker: a stateless ZeroMQ router between clients (schedulers) and
// workers (one per GPU), speaking the protocol in schemas/README.md.
//
// It queues tasks per service, shares each service round-robin across
// experiments, dispatches only to workers with free credit (a worker never
// holds more than its `slots` tasks), watches both sides with heartbeats and
// puts a dead worker's tasks back at the front of their queue. Everything it
// holds can be rebuilt: clients resubmit when they see a new broker id.
//
// Thread-safety: run() drives one event loop on the calling thread and owns
// the sockets. stop() is safe to call from any thread (and from before
// run()); the accessors are safe at any time. Everything else is private.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "broker/curve_keys.h"
#include "schemas/protocol.h"

namespace zmq {
class context_t;
}

namespace bigpe::broker {

struct BrokerOptions {
  std::string client_endpoint = "tcp://127.0.0.1:5555";
  std::string worker_endpoint = "tcp://127.0.0.1:5556";
  std::chrono::milliseconds heartbeat_interval = schemas::kHeartbeatInterval;
  int liveness = schemas::kHeartbeatLiveness;  // a peer silent for this many intervals is dead
  int max_attempts = schemas::kDefaultMaxAttempts;  // after this many failed attempts the client gets FAILED
  // Frames larger than this are refused by libzmq (ZMQ_MAXMSGSIZE), which
  // closes that peer's connection; bodies are then decoded with the msgpack
  // limits of schemas/msgpack_map.h, and refusals are logged with the reason.
  int64_t max_message_bytes = schemas::kMaxMessageBytes;
  // CURVE on both sockets when curve.enabled(): traffic is encrypted and
  // only the listed public keys get in (ZapHandler; the client socket's ZAP
  // domain is "clients", the worker socket's "workers").
  CurveServerKeys curve;
  // Tasks held (queued or in flight) at most; a SUBMIT beyond it is
  // answered, per task, with FAILED "broker queue full" (attempts 0), so a
  // runaway client costs the broker bounded memory and learns why.
  std::size_t max_tasks = 2000000;
  // Lease of a dispatched task (a SUBMIT's lease_ms overrides it per task):
  // a worker that holds a task longer, alive or not, loses it - the task goes
  // back to the front of its queue at attempt + 1, the worker gets CANCEL.
  // A worker whose leases expire `suspect_after` times with no RESULT in
  // between gets no new task until it answers (its compute thread may hang
  // while its heartbeat thread lives on).
  std::chrono::milliseconds task_lease = schemas::kTaskLease;
  int suspect_after = schemas::kSuspectAfterExpiries;
  // The ZeroMQ context to open the sockets in; null: one of its own. Peers
  // in the same process that share it can use the inproc endpoints.
  std::shared_ptr<zmq::context_t> context;
};

class Broker {
 public:
  // Binds both sockets (port 0 or "*" picks an ephemeral port). Throws
  // std::runtime_error naming the endpoint when a bind fails or an option
  // is out of range.
  explicit Broker(BrokerOptions options);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Serves until stop(). Malformed input is logged and dropped, never fatal.
  void run();
  // Asks run() to return; it returns within one poll wake-up. Thread-safe.
  void stop();

  // The endpoints actually bound (ZMQ_LAST_ENDPOINT), valid after the
  // constructor, e.g. "tcp://127.0.0.1:41234".
  std::string client_endpoint() const;
  std::string worker_endpoint() const;
  // The same sockets also listen on inproc endpoints (not with CURVE: the
  // peers there are this process): in-process clients and workers that use
  // context() skip TCP and ZeroMQ's I/O thread, which cost most of a
  // round trip on a small machine. Empty when CURVE is on.
  std::string inproc_client_endpoint() const;
  std::string inproc_worker_endpoint() const;
  std::shared_ptr<zmq::context_t> context() const;
  // Random id of this broker instance, sent in HEARTBEAT.sender and
  // ACCEPTED.broker_id so that peers can tell that the broker restarted.
  std::string instance_id() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bigpe::broker
