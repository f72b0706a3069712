// A SUBMIT that meets a full broker (max_tasks) on the wire: ACCEPTED comes
// first and lists only the tasks taken, then one FAILED "queue full"
// (attempts 0) per refused task; no id is both accepted and failed.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

// The replies to one SUBMIT: its ACCEPTED and the FAILEDs that follow it,
// read until `failed` of them came (or the deadline).
struct Replies {
  std::vector<Command> order;
  std::vector<std::string> accepted;
  std::vector<std::string> failed;
};
Replies replies(RawPeer& client, std::size_t failed) {
  Replies out;
  while (out.order.empty() || out.failed.size() < failed) {
    auto m = client.next();
    if (!m) break;
    out.order.push_back(m->command);
    if (m->command == Command::kAccepted) {
      out.accepted = schemas::decode_accepted(m->body).task_ids;
    } else if (m->command == Command::kFailed) {
      schemas::Failed f = schemas::decode_failed(m->body);
      EXPECT_EQ(f.attempts, 0);
      EXPECT_NE(f.reason.find("queue full"), std::string::npos) << f.reason;
      out.failed.push_back(f.task_id);
    }
  }
  return out;
}

class BrokerQueueFullTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::off); }  // the refusal is logged as a warning
};

TEST_F(BrokerQueueFullTest, AcceptedComesFirstAndListsOnlyTheTasksTaken) {
  BrokerOptions o = test_options();
  o.max_tasks = 3;
  BrokerRunner run(o);
  RawPeer client(run.broker().client_endpoint(), "greedy");
  client.send(Command::kSubmit, schemas::encode(schemas::Submit{tasks("t", 5)}));
  Replies first = replies(client, 2);
  ASSERT_EQ(first.order, (std::vector<Command>{Command::kAccepted, Command::kFailed, Command::kFailed}));
  EXPECT_EQ(first.accepted, (std::vector<std::string>{"t0", "t1", "t2"}));
  EXPECT_EQ(first.failed, (std::vector<std::string>{"t3", "t4"}));

  // A task the broker holds is accepted again (not duplicated), a new one refused.
  client.send(Command::kSubmit, schemas::encode(schemas::Submit{{envelope("t0"), envelope("t5")}}));
  Replies second = replies(client, 1);
  ASSERT_EQ(second.order, (std::vector<Command>{Command::kAccepted, Command::kFailed}));
  EXPECT_EQ(second.accepted, (std::vector<std::string>{"t0"}));
  EXPECT_EQ(second.failed, (std::vector<std::string>{"t5"}));
}

}  // namespace
}  // namespace bigpe::broker
