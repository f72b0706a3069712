// The broker gives a task only to a worker of its service that advertises
// the backend identity the task names, and says so in its log when tasks
// and workers of one service miss each other. Real sockets on loopback;
// workers are raw DEALERs so the test sees exactly what each receives.
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "broker/broker.h"
#include "broker/broker_client.h"
#include "broker/wire_message.h"
#include "schemas/messages.h"
#include "tests/fault/log_capture.h"

namespace bigpe::broker {
namespace {

using namespace std::chrono_literals;
using schemas::Command;
constexpr auto kDeadline = 10s;  // upper bound on any wait

class RunningBroker {
 public:
  RunningBroker() : broker_(options()), thread_([this] { broker_.run(); }) {}
  ~RunningBroker() {
    broker_.stop();
    thread_.join();
  }
  Broker& operator*() { return broker_; }

 private:
  static BrokerOptions options() {
    BrokerOptions o;
    o.client_endpoint = "tcp://127.0.0.1:*";
    o.worker_endpoint = "tcp://127.0.0.1:*";
    return o;  // default heartbeats: the test ends long before a worker would count as dead
  }
  Broker broker_;
  std::thread thread_;
};

// A worker that registers with `identity` and then only listens.
class RawWorker {
 public:
  RawWorker(const std::string& endpoint, const std::string& id, const std::string& identity)
      : socket_(ctx_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
    schemas::Ready ready{{"svc"}, 2, id, "localhost", "test", false};
    ready.identity = identity;
    EXPECT_TRUE(send_message(socket_, nullptr, Command::kReady, schemas::encode(ready)));
  }
  // The next message of `command`, skipping others, or nothing by the deadline.
  std::optional<WireMessage> next(Command command) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    WireMessage m;
    while (std::chrono::steady_clock::now() < deadline) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, 100ms);
      while (receive_message(socket_, false, m))
        if (m.error.empty() && m.command == command) return m;
    }
    return std::nullopt;
  }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
};

schemas::TaskEnvelope task(const std::string& id, const std::string& identity) {
  return schemas::TaskEnvelope{id, "exp", "svc", "body-of-" + id, identity};
}

const schemas::ServiceStatus* entry(const schemas::StatusReply& r, const std::string& identity) {
  for (const auto& s : r.services)
    if (s.name == "svc" && s.identity == identity) return &s;
  return nullptr;
}

TEST(BrokerIdentity, ATaskWaitsForAWorkerWithItsIdentityAndTheMismatchIsLogged) {
  testing::LogCapture log;
  RunningBroker broker;
  RawWorker other((*broker).worker_endpoint(), "w-other", "vocab-B");
  // The broker answers READY with a HEARTBEAT: from then on w-other is registered.
  ASSERT_TRUE(other.next(Command::kHeartbeat));

  BrokerClient client((*broker).client_endpoint(), "sched");
  client.submit({task("t1", "vocab-A")});
  // STATUS is answered after the SUBMIT (one socket, in order): the task is
  // still queued although w-other has free credit.
  schemas::StatusReply status = client.status(kDeadline);
  const schemas::ServiceStatus* a = entry(status, "vocab-A");
  const schemas::ServiceStatus* b = entry(status, "vocab-B");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->queued, 1);
  EXPECT_EQ(a->workers, 0);
  EXPECT_EQ(b->workers, 1);
  EXPECT_EQ(b->free_slots, 2);
  EXPECT_EQ(b->in_flight, 0);
  EXPECT_TRUE(log.wait_for({"svc", "need backend identity 'vocab-A'", "'vocab-B' (1 workers)"})) << log.all();

  // A worker with the task's identity gets it at once.
  RawWorker matching((*broker).worker_endpoint(), "w-match", "vocab-A");
  std::optional<WireMessage> got = matching.next(Command::kTask);
  ASSERT_TRUE(got);
  EXPECT_EQ(schemas::decode_task(got->body).task_id, "t1");
  status = client.status(kDeadline);
  EXPECT_EQ(entry(status, "vocab-A")->in_flight, 1);
  EXPECT_EQ(entry(status, "vocab-B")->in_flight, 0) << "the other worker never held it";
}

TEST(BrokerIdentity, AWorkerWithoutIdentityGetsNoTaskThatNamesOne) {
  // An older worker (no identity in READY) counts as the identity "".
  RunningBroker broker;
  RawWorker old((*broker).worker_endpoint(), "w-old", "");
  ASSERT_TRUE(old.next(Command::kHeartbeat));
  BrokerClient client((*broker).client_endpoint(), "sched");
  client.submit({task("t1", "vocab-A"), task("t2", "")});
  std::optional<WireMessage> got = old.next(Command::kTask);
  ASSERT_TRUE(got);
  EXPECT_EQ(schemas::decode_task(got->body).task_id, "t2");
  schemas::StatusReply status = client.status(kDeadline);
  EXPECT_EQ(entry(status, "vocab-A")->queued, 1);
  EXPECT_EQ(entry(status, "")->in_flight, 1);
}

}  // namespace
}  // namespace bigpe::broker
