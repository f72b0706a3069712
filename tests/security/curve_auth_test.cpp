// CURVE authentication at the broker: keys from `bigpe keygen`, a broker
// that lists one scheduler key and one worker key. The listed scheduler and
// worker are served; an unlisted key and a plaintext peer are refused during
// the handshake (they never get to send a message), and each refusal of a
// key is logged with that key.
#include <sys/stat.h>
#include <zmq.h>

#include <sstream>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "broker/curve_keys.h"
#include "scheduler/report/status_view.h"
#include "tests/fault/log_capture.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"

namespace bigpe::testing {
namespace {

// The handshake outcome of a DEALER, read from its monitor.
enum class Handshake { kSucceeded, kRefused, kTimedOut };

Handshake handshake_of(zmq::context_t& ctx, const std::string& endpoint, const broker::CurveClientKeys* keys,
                       const std::string& name) {
  zmq::socket_t s(ctx, zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::routing_id, name);
  if (keys != nullptr) {
    s.set(zmq::sockopt::curve_serverkey, keys->server_public);
    s.set(zmq::sockopt::curve_publickey, keys->public_key);
    s.set(zmq::sockopt::curve_secretkey, keys->secret_key);
  }
  const std::string mon = "inproc://handshake-" + name;
  zmq_socket_monitor(s.handle(), mon.c_str(), ZMQ_EVENT_ALL);
  zmq::socket_t monitor(ctx, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::rcvtimeo, 20000);
  monitor.connect(mon);
  s.connect(endpoint);
  Handshake result = Handshake::kTimedOut;
  for (;;) {
    zmq::message_t head, address;
    if (!monitor.recv(head) || !monitor.recv(address)) break;
    uint16_t event = 0;
    std::memcpy(&event, head.data(), sizeof event);
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      result = Handshake::kSucceeded;
      break;
    }
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
        event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
      result = Handshake::kRefused;
      break;
    }
  }
  zmq_socket_monitor(s.handle(), nullptr, 0);
  return result;
}

class CurveAuthTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    keys_ = temp_dir().file("keys");
    for (const char* name : {"broker", "scheduler", "gpu0", "stranger"}) broker::write_curve_keypair(keys_, name);
  }
  std::string key(const std::string& file) const { return keys_ + "/" + file; }
  broker::BrokerOptions curve_broker() const {
    broker::BrokerOptions o = broker_options();
    o.curve.secret_key = broker::read_curve_key(key("broker.key"));
    o.curve.client_keys = broker::read_curve_public_keys({key("scheduler.pub")});
    o.curve.worker_keys = broker::read_curve_public_keys({key("gpu0.pub")});
    return o;
  }
  std::string keys_;
};

TEST_F(CurveAuthTest, KeygenWritesASecretOnlyTheOwnerReadsAndNeverOverwrites) {
  struct stat st{};
  ASSERT_EQ(::stat(key("gpu0.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(key("gpu0.pub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(broker::curve_public_of(broker::read_curve_key(key("gpu0.key"))), broker::read_curve_key(key("gpu0.pub")));
  EXPECT_THROW(broker::write_curve_keypair(keys_, "gpu0"), std::runtime_error);

  ChildProcessOptions o;
  o.argv = {BIGPE_EXE, "keygen", "--out", temp_dir().file("cli-keys"), "sched-2"};
  o.stdout_path = o.stderr_path = temp_dir().file("keygen.log");
  ChildProcess p(o);
  ASSERT_EQ(p.wait(kDeadline), 0) << file_tail(temp_dir().file("keygen.log"));
  EXPECT_EQ(broker::read_curve_key(temp_dir().file("cli-keys/sched-2.pub")).size(), 40u);
}

TEST_F(CurveAuthTest, ListedSchedulerIsServedUnlistedAndPlaintextPeersAreRefused) {
  LogCapture log;
  InProcessBroker broker(curve_broker());
  const broker::CurveClientKeys scheduler =
      broker::load_curve_client_keys(key("scheduler.key"), key("broker.pub"));
  const broker::CurveClientKeys stranger = broker::load_curve_client_keys(key("stranger.key"), key("broker.pub"));

  zmq::context_t ctx(1);
  EXPECT_EQ(handshake_of(ctx, broker.client_endpoint(), &scheduler, "listed"), Handshake::kSucceeded);
  EXPECT_EQ(handshake_of(ctx, broker.client_endpoint(), &stranger, "unlisted"), Handshake::kRefused);
  EXPECT_EQ(handshake_of(ctx, broker.client_endpoint(), nullptr, "plaintext"), Handshake::kRefused);
  // A worker key is not a client key: the sockets have separate lists.
  const broker::CurveClientKeys gpu0 = broker::load_curve_client_keys(key("gpu0.key"), key("broker.pub"));
  EXPECT_EQ(handshake_of(ctx, broker.client_endpoint(), &gpu0, "worker-as-client"), Handshake::kRefused);
  EXPECT_TRUE(log.wait_for({"zap: refused", "clients", stranger.public_key})) << log.all();

  broker::BrokerClientOptions co = client_options();
  co.curve = scheduler;
  broker::BrokerClient client(broker.client_endpoint(), "sched", co);
  schemas::StatusReply status = client.status(kDeadline);
  EXPECT_EQ(status.workers, 0);
}

TEST_F(CurveAuthTest, StatusReachesACurveBrokerWithListedKeysAndSaysWhyNotWithout) {
  InProcessBroker broker(curve_broker());
  engine::StatusRequest req;
  req.redis_url = server().url();
  req.broker = broker.client_endpoint();
  req.curve_key = key("scheduler.key");
  req.broker_key = key("broker.pub");
  std::ostringstream with_keys;
  EXPECT_EQ(engine::run_status(req, with_keys, false), 0) << with_keys.str();
  // "broker ENDPOINT (id INSTANCE): 0 workers, ...": the broker answered.
  const std::size_t line = with_keys.str().find("broker " + broker.client_endpoint() + " (id ");
  ASSERT_NE(line, std::string::npos) << with_keys.str();
  EXPECT_NE(with_keys.str().find("): 0 workers", line), std::string::npos) << with_keys.str();

  // Only one of the two key files: refused up front, naming what is missing.
  req.broker_key.clear();
  std::ostringstream half;
  EXPECT_EQ(engine::run_status(req, half, false), 1);
  EXPECT_NE(half.str().find("broker's public key file"), std::string::npos) << half.str();
}

TEST_F(CurveAuthTest, ListedWorkerServesTasksAndAnUnlistedWorkerNeverRegisters) {
  LogCapture log;
  InProcessBroker broker(curve_broker());
  broker::BrokerClientOptions co = client_options();
  co.curve = broker::load_curve_client_keys(key("scheduler.key"), key("broker.pub"));
  broker::BrokerClient client(broker.client_endpoint(), "sched", co);

  WorkerProcess stranger(temp_dir().path(), "stranger", broker.worker_endpoint(), server().url(),
                         {"--curve-key", key("stranger.key"), "--broker-key", key("broker.pub")});
  ASSERT_TRUE(log.wait_for({"zap: refused", "workers", broker::read_curve_key(key("stranger.pub"))}))
      << log.all() << stranger.log();
  WorkerProcess gpu0(temp_dir().path(), "gpu0", broker.worker_endpoint(), server().url(),
                     {"--curve-key", key("gpu0.key"), "--broker-key", key("broker.pub")});
  ASSERT_TRUE(wait_for_workers(client, 1)) << gpu0.log();

  client.submit({make_task("t1", "a lock", 2)});
  Outcomes out = collect(client, 1);
  ASSERT_EQ(out.results.count("t1"), 1u) << gpu0.log();
  EXPECT_EQ(schemas::decode_render_result(out.results.at("t1").body).worker_id, "gpu0");
  EXPECT_EQ(client.status(kDeadline).workers, 1) << "the unlisted worker never registered";
  EXPECT_TRUE(stranger.child().running()) << "refused, it keeps knocking; it is not crashed";
}

}  // namespace
}  // namespace bigpe::testing
