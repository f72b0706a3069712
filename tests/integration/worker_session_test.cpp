// The C++ worker's registration rules (schemas/README.md section 4,
// "Registration"): a DISCONNECT after its READY was acknowledged starts a
// new session; DISCONNECTs before the acknowledgement are answered with
// READY of the same session. So after a graceful broker restart whose
// DISCONNECT swallowed the worker's READY, the worker registers with the
// successor as soon as its first heartbeat reaches it, and no task fails.
//
// A bound in time is unavoidable for "registers quickly", so it is made a
// matter of configuration, not of measurement: the worker's own liveness
// timeout is 1000 heartbeat intervals (50 s), far beyond any wait here (at
// most kDeadline, 10 s). A worker that ignored the successor's DISCONNECT
// could only register through that timeout, and the test would fail.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "tests/integration/broker_peers.h"
#include "worker/local_worker_pool.h"

namespace bigpe::broker {
namespace {

using namespace peers;

// A broker played by hand: a bare ROUTER that waits for what a worker sends.
class HandBroker {
 public:
  explicit HandBroker(const std::string& endpoint = "tcp://127.0.0.1:*") : socket_(ctx_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(endpoint);
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }
  void send(const std::string& peer, Command c, const std::string& body) {
    ASSERT_TRUE(send_message(socket_, &peer, c, body));
  }
  // The next message with command `c` (others are skipped), or nothing by
  // the deadline.
  std::optional<WireMessage> next(Command c) {
    const Clock::time_point deadline = Clock::now() + kDeadline;
    WireMessage m;
    while (Clock::now() < deadline) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, 20ms);
      while (receive_message(socket_, true, m))
        if (m.error.empty() && m.command == c) return m;
    }
    return std::nullopt;
  }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
};

WorkerOptions worker_options(const std::string& endpoint) {
  WorkerOptions o;
  o.broker_endpoint = endpoint;
  o.services = {"svc"};
  o.slots = 2;
  o.heartbeat_interval = kHeartbeat;
  o.liveness = 1000;  // its own timeout: 50 s (see the top of this file)
  o.persist = false;
  return o;
}

schemas::Ready ready_of(const WireMessage& m) { return schemas::decode_ready(m.body); }

// `identity`: the backend identity the worker advertised in its READY.
schemas::TaskEnvelope render_task(const std::string& id, const std::string& identity) {
  schemas::RenderTask t;
  t.experiment_id = "exp";
  t.service = "svc";
  t.identity = identity;
  t.items.push_back({"a lamp " + id, "a lamp", 7, "key-" + id});
  return schemas::TaskEnvelope{id, "exp", "svc", schemas::encode(t), identity};
}

class WorkerSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
};

TEST_F(WorkerSessionTest, DisconnectsBeforeTheAcknowledgementAreAnsweredWithReadyOfTheSameSession) {
  HandBroker broker;
  LocalWorkerPool pool(1, worker_options(broker.endpoint()), BackendSettings{});
  pool.start();
  auto first = broker.next(Command::kReady);
  ASSERT_TRUE(first.has_value());
  const std::string peer = first->peer;
  const std::string s1 = ready_of(*first).session;
  EXPECT_FALSE(s1.empty());
  broker.send(peer, Command::kHeartbeat, schemas::encode(schemas::Heartbeat{"old-instance"}));  // acknowledged

  // Acknowledged, then told the broker is going: a new session.
  broker.send(peer, Command::kDisconnect, schemas::encode(schemas::Disconnect{"broker stopping"}));
  auto second = broker.next(Command::kReady);
  ASSERT_TRUE(second.has_value()) << "no READY after DISCONNECT";
  const std::string s2 = ready_of(*second).session;
  EXPECT_NE(s2, s1);

  // Not acknowledged: each DISCONNECT (one per heartbeat, as a broker that
  // does not know us answers) gets READY of the same session.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(broker.next(Command::kHeartbeat).has_value());
    broker.send(peer, Command::kDisconnect, schemas::encode(schemas::Disconnect{"send READY first"}));
    auto again = broker.next(Command::kReady);
    ASSERT_TRUE(again.has_value()) << "DISCONNECT " << i << " before the acknowledgement was not answered";
    EXPECT_EQ(ready_of(*again).session, s2) << "a new session would make the broker fail its tasks";
  }
  pool.stop();
}

TEST_F(WorkerSessionTest, AfterAGracefulBrokerRestartTheWorkerRegistersAtOnceAndNoTaskFails) {
  // The old broker: it registers the worker, says it is stopping and takes
  // the worker's next READY with it, as a broker that closes right after its
  // goodbye does.
  auto old = std::make_unique<HandBroker>();
  const std::string workers = old->endpoint();
  LocalWorkerPool pool(1, worker_options(workers), BackendSettings{});
  pool.start();
  auto hello = old->next(Command::kReady);
  ASSERT_TRUE(hello.has_value());
  const std::string identity = ready_of(*hello).identity;
  old->send(hello->peer, Command::kHeartbeat, schemas::encode(schemas::Heartbeat{"old-instance"}));
  old->send(hello->peer, Command::kDisconnect, schemas::encode(schemas::Disconnect{"broker stopping"}));
  ASSERT_TRUE(old->next(Command::kReady).has_value()) << "the READY the old broker should swallow";
  old.reset();

  // The successor on the same endpoint, with work waiting, so that the
  // worker is handed tasks the moment it registers; any READY it then sends
  // again must not fail them (one attempt only: a failed one is FAILED).
  BrokerOptions o = test_options("tcp://127.0.0.1:*", workers);
  o.max_attempts = 1;
  BrokerRunner successor(o);
  BrokerClient client(successor.broker().client_endpoint(), "client", client_options());
  std::vector<schemas::TaskEnvelope> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(render_task("t" + std::to_string(i), identity));
  client.submit(batch);

  auto events = collect(client, batch.size());
  ASSERT_EQ(events.size(), batch.size()) << "the worker did not register with the new broker";
  for (auto& e : events) {
    ASSERT_EQ(e.kind, BrokerClient::Event::Kind::kResult) << e.failed.reason;
    EXPECT_EQ(e.result.attempt, 1) << e.result.task_id;
  }
  schemas::StatusReply r = client.status(kDeadline);
  EXPECT_EQ(r.workers, 1);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(pool.stats().failures, 0);
  pool.stop();
}

}  // namespace
}  // namespace bigpe::broker
