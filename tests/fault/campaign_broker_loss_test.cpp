// A campaign on a remote `bigpe broker` whose event loop fails under it
// (BIGPE_FAULT_THROW_AT=broker:result#N, at its Nth result): the broker
// ends with one line and status 1, not std::terminate; a replacement on
// the same ports (what a supervisor starts) gets the campaign's tasks
// again, and the campaign ends with the results of an undisturbed one.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/redis/redis_client.h"
#include "tests/fault/support/fault_cluster.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/run_results.h"
#include "tests/support/test_paths.h"

namespace bigpe::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> campaign_args(const std::string& file, const std::string& out, FaultCluster& c) {
  return {"campaign", file, "--out", out, "redis=" + c.redis().url(), "broker=" + c.client_endpoint(),
          "workers=remote"};
}

// Polls until `child` exits or 60 s pass (the poll is not a synchronisation).
std::optional<int> await_exit(ChildProcess& child) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (child.running() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return child.exit_status();
}

TEST(RemoteBrokerLost, TheCampaignGoesOnWithTheReplacementBrokerAndEndsWithTheUndisturbedResults) {
  TempDir dir("campaign-broker-loss");
  FaultCluster cluster(ClusterOptions{dir.path()});
  const std::string campaign = write_small_campaign(dir.path(), "repeats: 1\n");

  cluster.start_scheduler(campaign_args(campaign, dir.file("plain"), cluster), dir.file("plain.log"));
  ASSERT_EQ(await_exit(cluster.scheduler()), 0) << read_text_file(dir.file("plain.log"));

  // The same results must be rendered again, through the failing broker.
  RedisClient(cluster.redis().options()).command({"FLUSHALL"});
  cluster.kill_broker();
  cluster.start_broker({{"BIGPE_FAULT_THROW_AT", "broker:result#30"}});
  const std::string out = dir.file("c");
  cluster.start_scheduler(campaign_args(campaign, out, cluster), dir.file("c.log"));

  ASSERT_EQ(await_exit(cluster.broker()), 1) << cluster.diagnostics();
  const std::string failed_log = cluster.broker_log();
  EXPECT_NE(failed_log.find("stopped: fault injected at broker:result; its clients resubmit"), std::string::npos)
      << failed_log;
  EXPECT_TRUE(ended_by_its_own_code(failed_log)) << failed_log;
  ASSERT_TRUE(cluster.scheduler().running()) << "the campaign ended with its broker:\n" << cluster.diagnostics();

  cluster.start_broker();
  ASSERT_EQ(await_exit(cluster.scheduler()), 0) << cluster.diagnostics();
  const std::string log = read_text_file(dir.file("c.log"));
  EXPECT_TRUE(ended_by_its_own_code(log)) << log;
  EXPECT_EQ(campaign_results(out), campaign_results(dir.file("plain")));
}

}  // namespace
}  // namespace bigpe::testing
