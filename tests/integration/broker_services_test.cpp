// The services STATUS lists are bounded: a service is listed while a worker
// serves it or a task waits for or runs in it, and forgotten at the next
// heartbeat tick after neither holds. Real sockets on loopback.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

std::set<std::string> names(const schemas::StatusReply& r) {
  std::set<std::string> out;
  for (const auto& s : r.services) out.insert(s.name);
  return out;
}

class BrokerServicesTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
};

TEST_F(BrokerServicesTest, ServicesWithNoWorkerAndNoTaskAreForgotten) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  auto worker = std::make_unique<TestWorker>(run.broker().worker_endpoint(), "w", 1, -1, std::vector<std::string>{"svc"});
  ASSERT_EQ(status_when(client, [](auto& r) { return r.workers == 1; }).workers, 1);

  // 200 services named once each, and one whose task has no worker.
  std::vector<schemas::TaskEnvelope> named;
  for (int i = 0; i < 200; ++i) named.push_back(envelope("n" + std::to_string(i), "E", "once-" + std::to_string(i)));
  named.push_back(envelope("k", "K", "kept"));
  client.submit(named);
  EXPECT_EQ(status_when(client, [](auto& r) { return r.services.size() == 202; }).services.size(), 202u);

  client.cancel("E");
  schemas::StatusReply r = status_when(client, [](auto& r) { return r.services.size() <= 2; });
  // The tick that forgot the 200 kept the service whose task still waits.
  EXPECT_EQ(names(r), (std::set<std::string>{"kept", "svc"}));
  EXPECT_EQ(r.queued, 1);

  // A worker's services go when it does (its liveness runs out).
  worker.reset();
  r = status_when(client, [](auto& r) { return r.workers == 0 && r.services.size() <= 1; });
  EXPECT_EQ(names(r), (std::set<std::string>{"kept"}));
}

}  // namespace
}  // namespace bigpe::broker
