// The client's keepalive: a BrokerClient nobody polls (a scheduler waiting
// on its LLM) still heartbeats, so the broker keeps it, and it still reads
// what arrives, so no result waits on the next poll() to be taken in. A
// ROUTER in the test plays the broker and sees the exact wire. And its
// goodbye: a client that goes says DISCONNECT, so a real broker forgets it
// at once; every `bigpe status` poll used to leave a "cannot send HEARTBEAT
// to client status-...: it is gone" warning in the running job's console.
#include <string>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/fault/log_capture.h"
#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

class FakeBroker {
 public:
  FakeBroker() : socket_(ctx_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& endpoint() const { return endpoint_; }

  // Reads until `pred(message)` holds for `count` messages or the deadline;
  // returns how many did.
  template <typename Pred>
  int count_until(int count, Pred pred) {
    int seen = 0;
    const Clock::time_point deadline = Clock::now() + kDeadline;
    WireMessage m;
    while (seen < count && Clock::now() < deadline) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(20));
      while (receive_message(socket_, true, m)) {
        if (!m.error.empty()) continue;
        peer_ = m.peer;
        if (pred(m)) ++seen;
      }
    }
    return seen;
  }

  void send(Command c, const std::string& body) { ASSERT_TRUE(send_message(socket_, &peer_, c, body)); }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string peer_;
};

bool is_heartbeat(const WireMessage& m) { return m.command == Command::kHeartbeat; }

TEST(BrokerClientKeepalive, HeartbeatsWhileNobodyPolls) {
  spdlog::set_level(spdlog::level::err);
  FakeBroker broker;
  BrokerClient client(broker.endpoint(), "scheduler", client_options());
  // The hello at connect is one; the rest can only come from the keepalive,
  // as this thread never calls the client again.
  EXPECT_EQ(broker.count_until(6, is_heartbeat), 6);
}

TEST(BrokerClientKeepalive, AResultArrivingWhileNobodyPollsIsTakenInAndReturnedOnce) {
  spdlog::set_level(spdlog::level::err);
  FakeBroker broker;
  BrokerClient client(broker.endpoint(), "scheduler", client_options());
  client.submit({envelope("t0")});
  ASSERT_EQ(broker.count_until(1, [](const WireMessage& m) { return m.command == Command::kSubmit; }), 1);
  broker.send(Command::kResult, schemas::encode(schemas::Result{"t0", "body", "", 1}));
  // Heartbeats keep coming after the result, so the client is not stuck on it.
  ASSERT_EQ(broker.count_until(3, is_heartbeat), 3);
  EXPECT_EQ(client.in_flight(), 0u) << "the keepalive read the RESULT";
  std::vector<BrokerClient::Event> events = client.poll(std::chrono::milliseconds(0));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result.task_id, "t0");
  EXPECT_TRUE(client.poll(std::chrono::milliseconds(0)).empty());
}

TEST(BrokerClientKeepalive, AClientThatGoesSaysDisconnect) {
  spdlog::set_level(spdlog::level::err);
  FakeBroker broker;
  { BrokerClient client(broker.endpoint(), "status-1", client_options()); }
  EXPECT_EQ(broker.count_until(1, [](const WireMessage& m) { return m.command == Command::kDisconnect; }), 1);
}

TEST(BrokerClientKeepalive, AStatusPollLeavesNoWarningAtTheBroker) {
  testing::LogCapture log;
  BrokerRunner runner(test_options());
  const std::string endpoint = runner.broker().client_endpoint();
  {
    BrokerClient status(endpoint, "status-1", client_options());
    status.status(kDeadline);
    // What scripts/launch-slurm checks: the broker answering is the one it started.
    EXPECT_EQ(status.broker_id(), runner.broker().instance_id());
  }
  // Twice the liveness window of broker ticks, counted by a client that
  // stays: a status client that vanished without a word would by now have
  // been found gone (a failed heartbeat, warned about, or its silence).
  RawPeer probe(endpoint, "probe");
  for (int i = 0; i < 2 * kLiveness; ++i) {
    probe.send(Command::kHeartbeat, schemas::encode(schemas::Heartbeat{"probe"}));
    ASSERT_TRUE(probe.next(kDeadline, true).has_value()) << "the broker stopped heartbeating";
  }
  const std::string lines = log.all();
  EXPECT_EQ(lines.find("cannot send"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("client status-1 gone"), std::string::npos) << "forgotten only when found gone:\n" << lines;
}

}  // namespace
}  // namespace bigpe::broker
