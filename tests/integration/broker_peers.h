#pragma once
// Peers for broker tests over real ZeroMQ sockets on loopback: a Broker in a
// thread (BrokerRunner), a protocol-speaking worker in a thread (TestWorker),
// a raw DEALER that sees the exact messages on the wire (RawPeer), and the
// waits they share. Heartbeats are 50 ms so that liveness tests run in a
// fraction of a second; every wait is on a condition with a deadline.
//
// Not thread-safe unless stated: each object belongs to the test's thread
// (TestWorker's accessors may be called while its own thread runs).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "broker/broker.h"
#include "broker/broker_client.h"
#include "broker/wire_message.h"
#include "schemas/messages.h"
#include "schemas/render_task.h"

namespace bigpe::broker::peers {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using schemas::Command;

inline constexpr auto kHeartbeat = 50ms;
inline constexpr int kLiveness = 4;
inline constexpr auto kDeadline = 10s;  // upper bound on any wait in these tests

inline BrokerOptions test_options(std::string clients = "tcp://127.0.0.1:*", std::string workers = "tcp://127.0.0.1:*") {
  BrokerOptions o;
  o.client_endpoint = std::move(clients);
  o.worker_endpoint = std::move(workers);
  o.heartbeat_interval = kHeartbeat;
  o.liveness = kLiveness;
  o.max_attempts = 3;
  return o;
}

inline BrokerClientOptions client_options() { return BrokerClientOptions{kHeartbeat, kLiveness, 600000ms}; }

// A Broker serving in its own thread for the lifetime of this object.
class BrokerRunner {
 public:
  explicit BrokerRunner(BrokerOptions options) : broker_(std::move(options)) {
    thread_ = std::thread([this] {
      try {
        broker_.run();
      } catch (const std::exception& e) {
        error_ = e.what();
      }
      returned_ = true;
    });
  }
  ~BrokerRunner() {
    broker_.stop();
    thread_.join();
  }
  Broker& broker() { return broker_; }
  bool returned() const { return returned_; }
  std::string error() const { return error_; }

 private:
  Broker broker_;
  std::thread thread_;
  std::atomic<bool> returned_{false};
  std::string error_;
};

struct Received {
  std::string task_id;
  int attempt;
  std::string experiment_id;
};

// A worker speaking the protocol: READY, heartbeats, RESULT per TASK (with
// `batch`: it says so in READY, takes TASKS, and answers all it may at once
// in one RESULTS).
// `budget` bounds how many tasks it may still answer (negative: no bound),
// so tests can hold tasks in flight; tasks whose id starts with "bad" are
// answered with an error; silence() makes it stop talking altogether.
class TestWorker {
 public:
  TestWorker(const std::string& endpoint, std::string id, int slots, int64_t budget = -1,
             std::vector<std::string> services = {"svc"}, bool batch = false)
      : id_(std::move(id)), slots_(slots), services_(std::move(services)), batch_(batch), budget_(budget) {
    thread_ = std::thread([this, endpoint] { loop(endpoint); });
  }
  ~TestWorker() {
    stop_ = true;
    thread_.join();
  }

  void set_budget(int64_t b) { budget_ = b; }
  void silence() { silent_ = true; }

  template <typename Pred>
  bool wait_until(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, Clock::now() + kDeadline, [&] { return pred(); });
  }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::size_t received_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_.size();
  }
  std::size_t max_held() {
    std::lock_guard<std::mutex> lock(mu_);
    return max_held_;
  }
  std::size_t largest_message() {  // most tasks that came in one message
    std::lock_guard<std::mutex> lock(mu_);
    return largest_message_;
  }
  // REQUIRES: called with the lock held, i.e. inside wait_until's predicate.
  std::size_t received_locked() const { return received_.size(); }

 private:
  void send(zmq::socket_t& s, Command c, const std::string& body) { send_message(s, nullptr, c, body); }

  void send_ready(zmq::socket_t& s) {
    send(s, Command::kReady, schemas::encode(schemas::Ready{services_, slots_, id_, "localhost", "test", batch_}));
  }

  void loop(const std::string& endpoint) {
    zmq::context_t ctx(1);
    zmq::socket_t s(ctx, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::reconnect_ivl, 20);
    s.connect(endpoint);
    send_ready(s);
    std::string broker_id;
    std::vector<schemas::Task> held;
    Clock::time_point next_heartbeat = Clock::now() + kHeartbeat;
    WireMessage m;
    while (!stop_) {
      zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, 5ms);  // short, so budget changes are seen promptly
      while (receive_message(s, false, m)) {
        if (!m.error.empty() || silent_) continue;
        if (m.command == Command::kTask || m.command == Command::kTasks) {
          std::vector<schemas::Task> arrived;
          if (m.command == Command::kTask) arrived.push_back(schemas::decode_task(m.body));
          for (auto& e : m.command == Command::kTasks ? schemas::decode_task_batch(m.body)
                                                      : std::vector<schemas::BatchEntry<schemas::Task>>{})
            arrived.push_back(*e.value);
          std::lock_guard<std::mutex> lock(mu_);
          for (schemas::Task& t : arrived) {
            received_.push_back({t.task_id, t.attempt, t.experiment_id});
            held.push_back(std::move(t));
          }
          max_held_ = std::max(max_held_, held.size());
          largest_message_ = std::max(largest_message_, arrived.size());
          cv_.notify_all();
        } else if (m.command == Command::kHeartbeat) {
          std::string sender = schemas::decode_heartbeat(m.body).sender;
          if (!broker_id.empty() && sender != broker_id) {  // a new broker: register again
            held.clear();
            send_ready(s);
          }
          broker_id = sender;
        } else if (m.command == Command::kDisconnect) {
          held.clear();
          send_ready(s);
        }
      }
      if (silent_) continue;
      schemas::ResultBatch answers;
      while (!held.empty() && budget_ != 0) {
        const schemas::Task& t = held.front();
        schemas::Result r;
        r.task_id = t.task_id;
        r.attempt = t.attempt;
        if (t.task_id.rfind("bad", 0) == 0)
          r.error = "boom on " + id_ + " attempt " + std::to_string(t.attempt);
        else
          r.body = schemas::encode(schemas::RenderResult{t.task_id, {}, id_});
        answers.results.push_back(std::move(r));
        held.erase(held.begin());
        if (budget_ > 0) --budget_;
      }
      if (batch_ && answers.results.size() > 1)
        send(s, Command::kResults, schemas::encode(answers));
      else
        for (const schemas::Result& r : answers.results) send(s, Command::kResult, schemas::encode(r));
      if (Clock::now() >= next_heartbeat) {
        send(s, Command::kHeartbeat, schemas::encode(schemas::Heartbeat{id_}));
        next_heartbeat = Clock::now() + kHeartbeat;
      }
    }
  }

  std::string id_;
  int slots_;
  std::vector<std::string> services_;
  bool batch_;
  std::atomic<int64_t> budget_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> silent_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> received_;
  std::size_t max_held_ = 0;
  std::size_t largest_message_ = 0;
  std::thread thread_;
};

// A DEALER for tests that must see the exact messages on the wire.
class RawPeer {
 public:
  RawPeer(const std::string& endpoint, const std::string& routing_id = "") : socket_(ctx_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    if (!routing_id.empty()) socket_.set(zmq::sockopt::routing_id, routing_id);
    socket_.connect(endpoint);
  }
  void send(Command c, const std::string& body) { ASSERT_TRUE(send_message(socket_, nullptr, c, body)); }
  void send_frames(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      socket_.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  // The next message other than a HEARTBEAT (or, with `heartbeats`, any
  // message), or nothing by the deadline.
  std::optional<WireMessage> next(std::chrono::milliseconds within = kDeadline, bool heartbeats = false) {
    Clock::time_point deadline = Clock::now() + within;
    WireMessage m;
    while (Clock::now() < deadline) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      while (receive_message(socket_, false, m))
        if (heartbeats || m.command != Command::kHeartbeat || !m.error.empty()) return m;
    }
    return std::nullopt;
  }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
};

inline schemas::TaskEnvelope envelope(const std::string& id, const std::string& experiment = "exp",
                               const std::string& service = "svc") {
  return schemas::TaskEnvelope{id, experiment, service, "body-of-" + id};
}

inline std::vector<schemas::TaskEnvelope> tasks(const std::string& prefix, int n, const std::string& experiment = "exp") {
  std::vector<schemas::TaskEnvelope> out;
  for (int i = 0; i < n; ++i) out.push_back(envelope(prefix + std::to_string(i), experiment));
  return out;
}

// Polls the client until `n` events arrived (or the deadline).
inline std::vector<BrokerClient::Event> collect(BrokerClient& client, std::size_t n) {
  std::vector<BrokerClient::Event> all;
  Clock::time_point deadline = Clock::now() + kDeadline;
  while (all.size() < n && Clock::now() < deadline) {
    for (auto& e : client.poll(100ms)) all.push_back(std::move(e));
  }
  return all;
}

// Asks for STATUS until `pred` holds (or the deadline); returns the last reply.
template <typename Pred>
schemas::StatusReply status_when(BrokerClient& client, Pred pred) {
  Clock::time_point deadline = Clock::now() + kDeadline;
  schemas::StatusReply r = client.status(kDeadline);
  while (!pred(r) && Clock::now() < deadline) {
    client.poll(kHeartbeat);  // keep the connection alive, pace the requests
    r = client.status(kDeadline);
  }
  return r;
}

}  // namespace bigpe::broker::peers
