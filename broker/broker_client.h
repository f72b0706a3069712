#pragma once
// The scheduler's side of the broker protocol (schemas/README.md): submits
// tasks, collects each result exactly once, and keeps its own in-flight
// table so that no task is lost when the broker restarts.
//
// The client resubmits every in-flight task when it sees a new broker
// instance id (HEARTBEAT.sender, ACCEPTED.broker_id) or hears nothing from
// the broker for `liveness` heartbeat intervals (it then also reconnects),
// and resubmits a single task whose deadline passed. Duplicate results (a
// task id no longer in flight) are dropped here, so each task yields one
// event.
//
// A client that is destroyed says DISCONNECT, so the broker forgets it at
// once instead of finding it gone at its next heartbeat.
//
// Heartbeats come from poll()/status() and, while no caller is inside
// them, from a keepalive thread of the client's own, so a scheduler that
// waits minutes on its LLM stays alive to the broker and keeps its results.
//
// Thread-safety: the methods may be called from any thread; calls are
// serialized (one thread usually owns the client and polls it).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "broker/curve_keys.h"

namespace zmq {
class context_t;
}
#include "schemas/messages.h"
#include "schemas/protocol.h"

namespace bigpe::broker {

struct BrokerClientOptions {
  std::chrono::milliseconds heartbeat_interval = schemas::kHeartbeatInterval;
  int liveness = schemas::kHeartbeatLiveness;
  std::chrono::milliseconds task_deadline = schemas::kTaskDeadline;  // resubmit a task after this long
  CurveClientKeys curve;  // CURVE to the broker when curve.enabled()
  // The ZeroMQ context to use; null: one of its own. An in-process broker's
  // context (Broker::context()) lets the client use its inproc endpoint.
  std::shared_ptr<zmq::context_t> context;
};

class BrokerClient {
 public:
  struct Event {
    enum class Kind { kResult, kFailed } kind;
    schemas::Result result;  // valid when kind == kResult
    schemas::Failed failed;  // valid when kind == kFailed
  };

  // Connects a DEALER with ZMQ_ROUTING_ID = client_id, so the broker routes
  // results to this client across reconnects. REQUIRES: client_id non-empty,
  // at most 255 bytes, not starting with a zero byte (throws otherwise).
  BrokerClient(std::string endpoint, std::string client_id, BrokerClientOptions options = {});
  ~BrokerClient();
  BrokerClient(const BrokerClient&) = delete;
  BrokerClient& operator=(const BrokerClient&) = delete;

  // Queues tasks at the broker (chunks of schemas::kSubmitChunk per SUBMIT) and records them
  // in flight. Submitting a task id already in flight is harmless.
  void submit(const std::vector<schemas::TaskEnvelope>& tasks);

  // Waits up to `timeout` for at least one result or failure, then returns
  // all that are ready (empty on timeout). Keeps the connection alive.
  std::vector<Event> poll(std::chrono::milliseconds timeout);

  // Tasks submitted and not yet answered by a result or failure.
  std::size_t in_flight() const;

  // Asks the broker for its STATUS. Throws std::runtime_error when no reply
  // comes within `timeout`. Results that arrive meanwhile are kept for the
  // next poll().
  schemas::StatusReply status(std::chrono::milliseconds timeout);

  // Drops the experiment's queued tasks at the broker and forgets its
  // in-flight tasks here (their late results are dropped as duplicates).
  void cancel(const std::string& experiment_id);

  const std::string& endpoint() const;

  // The broker's instance id as last heard (HEARTBEAT, ACCEPTED); empty
  // before the broker has answered. After status() returns it is set: the
  // broker greets a new client before answering it.
  std::string broker_id() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bigpe::broker
