// Limits on untrusted input, end to end: a frame over the broker's
// max_message_bytes costs its sender the connection and nobody else
// anything; bodies too deep or announcing too many elements are refused
// with a logged reason; a prompt over render.max_prompt_chars is refused by
// the scheduler before submission and by a worker that is handed one, and
// such a task ends FAILED at once (the refusal is permanent) with the reason.
#include <zmq.h>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "broker/wire_message.h"
#include "scheduler/render/render_dispatcher.h"
#include "tests/fault/log_capture.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"

namespace bigpe::testing {
namespace {

// A raw DEALER whose connection events are watched with zmq_socket_monitor,
// so the test waits on "the broker closed us" rather than on time.
class MonitoredDealer {
 public:
  MonitoredDealer(zmq::context_t& ctx, const std::string& endpoint, const std::string& id)
      : socket_(ctx, zmq::socket_type::dealer), monitor_(ctx, zmq::socket_type::pair) {
    socket_.set(zmq::sockopt::routing_id, id);
    socket_.set(zmq::sockopt::linger, 0);
    const std::string mon = "inproc://monitor-" + id;
    if (zmq_socket_monitor(socket_.handle(), mon.c_str(), ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0)
      throw std::runtime_error("zmq_socket_monitor failed");
    monitor_.connect(mon);
    socket_.connect(endpoint);
  }
  ~MonitoredDealer() { zmq_socket_monitor(socket_.handle(), nullptr, 0); }

  // True once `event` is seen within the deadline.
  bool wait_event(int event) {
    monitor_.set(zmq::sockopt::rcvtimeo, static_cast<int>(kDeadline.count() * 1000));
    for (;;) {
      zmq::message_t head, address;
      if (!monitor_.recv(head) || !monitor_.recv(address)) return false;
      uint16_t e = 0;
      std::memcpy(&e, head.data(), sizeof e);
      if (e == event) return true;
    }
  }
  void send(const std::string& command, const std::string& body) {
    socket_.send(zmq::str_buffer("BIGPE/1"), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(command), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(body), zmq::send_flags::none);
  }

 private:
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
};

TEST(InputLimits, FrameOverMaxMessageBytesClosesOnlyThatConnection) {
  broker::BrokerOptions o = broker_options();
  o.max_message_bytes = 64 * 1024;
  InProcessBroker broker(o);
  zmq::context_t ctx(1);
  MonitoredDealer big(ctx, broker.client_endpoint(), "big");
  ASSERT_TRUE(big.wait_event(ZMQ_EVENT_CONNECTED));
  big.send("SUBMIT", std::string(128 * 1024, 'x'));
  EXPECT_TRUE(big.wait_event(ZMQ_EVENT_DISCONNECTED)) << "the broker kept a connection sending 128 KiB frames";

  broker::BrokerClient client(broker.client_endpoint(), "honest", client_options());
  schemas::StatusReply status = client.status(kDeadline);
  EXPECT_EQ(status.queued, 0);
  client.submit({make_task("t1", "a kite", 1)});
  EXPECT_EQ(client.status(kDeadline).queued, 1) << "the broker serves other clients as before";
}

// {v:1, tasks: <payload>}
std::string submit_with_tasks(const std::string& payload) {
  return std::string("\x82\xa1v\x01\xa5tasks", 10) + payload;
}

TEST(InputLimits, DeepAndHugeBodiesAreRefusedWithALoggedReason) {
  LogCapture log;
  InProcessBroker broker(broker_options());
  zmq::context_t ctx(1);
  MonitoredDealer peer(ctx, broker.client_endpoint(), "hostile");
  ASSERT_TRUE(peer.wait_event(ZMQ_EVENT_CONNECTED));
  // 200 nested one-element arrays: past the depth limit of 32.
  peer.send("SUBMIT", submit_with_tasks(std::string(200, '\x91') + "\x01"));
  // An array32 header announcing 2^24 elements in a 15-byte body.
  peer.send("SUBMIT", submit_with_tasks(std::string("\xdd\x01\x00\x00\x00", 5)));
  EXPECT_TRUE(log.wait_for({"dropped SUBMIT", "hostile", "depth"})) << log.all();
  EXPECT_TRUE(log.wait_for({"dropped SUBMIT", "hostile", "array size"})) << log.all();

  broker::BrokerClient client(broker.client_endpoint(), "honest", client_options());
  EXPECT_EQ(client.status(kDeadline).queued, 0);
}

class PromptLimitTest : public RedisFixture {};

TEST_F(PromptLimitTest, OverLongPromptIsRefusedAtSubmissionWithAClearError) {
  // No broker is needed: nothing may be submitted.
  broker::BrokerClient client("tcp://127.0.0.1:1", "sched", client_options());
  auto redis = client_ptr();
  engine::DispatchSettings ds;
  ds.experiment_id = "exp";
  ds.service = kService;
  ds.max_prompt_chars = 50;
  engine::RenderDispatcher dispatcher(client, *redis, ds);
  const std::string prompt(60, 'p');
  try {
    dispatcher.run({engine::RenderJob{"a short one", "q", 1}, engine::RenderJob{prompt, "q", 1}});
    FAIL() << "a 60-character prompt passed a 50-character limit";
  } catch (const engine::RenderFailed& e) {
    EXPECT_NE(std::string(e.what()).find("60 characters"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("render.max_prompt_chars"), std::string::npos) << e.what();
  }
  EXPECT_EQ(client.in_flight(), 0u) << "nothing of the refused batch was submitted";
  // Characters, not bytes: 50 two-byte characters pass.
  std::string accented;
  for (int i = 0; i < 50; ++i) accented += "\xc3\xa9";
  EXPECT_NO_THROW(dispatcher.prefetch({engine::RenderJob{accented, "q", 1}}));
  EXPECT_EQ(client.in_flight(), 1u);
}

TEST_F(PromptLimitTest, WorkersRefuseAnOverLongPromptAndTheTaskFailsAtOnceWithTheReason) {
  InProcessBroker broker(broker_options(3));
  std::vector<std::unique_ptr<WorkerProcess>> workers;
  for (int i = 0; i < 2; ++i)
    workers.push_back(std::make_unique<WorkerProcess>(
        temp_dir().path(), "w" + std::to_string(i), broker.worker_endpoint(), server().url(),
        std::vector<std::string>{"--max-prompt-chars", "50", "--slots", "1"}));
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 2)) << workers[0]->log();

  // make_task's prompts are "<prefix> <i>, highly detailed".
  client.submit({make_task("long", std::string(60, 'x'), 1), make_task("short", "a cat", 1)});
  Outcomes out = collect(client, 2);
  ASSERT_EQ(out.failed.count("long"), 1u) << workers[0]->log();
  const schemas::Failed& f = out.failed.at("long");
  // The refusal is permanent: no second worker is asked (max_attempts is 3).
  EXPECT_EQ(f.attempts, 1);
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_NE(f.reasons[0].find("attempt 1 on worker w"), std::string::npos) << f.reasons[0];
  EXPECT_NE(f.reasons[0].find("exceeds the limit of 50"), std::string::npos) << f.reasons[0];
  EXPECT_EQ(out.results.count("short"), 1u);
  auto redis = client_ptr();
  EXPECT_EQ(renders_total(*redis), 1) << "the refused prompt was never rendered";
  for (auto& w : workers) EXPECT_TRUE(w->child().running()) << w->log();
}

}  // namespace
}  // namespace bigpe::testing
