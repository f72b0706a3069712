// The worker's compute watchdog: a batch that hangs (the sim renderer's
// hang file stands in for a CUDA kernel that never returns) while the
// heartbeat thread lives on is reported in HEARTBEAT as busy and stalled
// (STATUS shows it), clears when the batch returns, and with
// --watchdog-exit ends the worker with status 3 after it told the broker,
// which requeues the task at once. `bigpe worker` children, an in-process
// broker, no Redis (--no-persist).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/fabric_harness.h"
#include "tests/support/test_paths.h"
#include "worker/worker.h"

namespace bigpe::testing {
namespace {

// Polls STATUS until `pred` holds on the reply or the deadline; the last reply.
template <typename Pred>
schemas::StatusReply status_until(broker::BrokerClient& client, Pred pred) {
  const auto deadline = Clock::now() + kDeadline;
  schemas::StatusReply r = client.status(kDeadline);
  while (!pred(r) && Clock::now() < deadline) {
    client.poll(kHeartbeat);
    r = client.status(kDeadline);
  }
  return r;
}

bool stalled(const schemas::StatusReply& r) {
  return r.worker_list.size() == 1 && r.worker_list[0].stalled;
}

TEST(WorkerWatchdog, HungBatchIsReportedStalledAndClearsWhenItReturns) {
  TempDir dir("watchdog-report");
  const std::string hang = dir.file("hang");
  std::ofstream(hang) << "hang\n";
  InProcessBroker broker(broker_options());
  WorkerProcess worker(dir.path(), "w0", broker.worker_endpoint(), "redis://127.0.0.1:1", {"--no-persist", "--watchdog-ms", "200",
                                                                         "--sim-hang-file", hang});
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << worker.log();
  client.submit({make_task("t1", "a cactus", 1)});

  schemas::StatusReply r = status_until(client, stalled);
  ASSERT_TRUE(stalled(r)) << worker.log();
  EXPECT_GT(r.worker_list[0].busy_ms, 200);
  EXPECT_NE(worker.log().find("past the watchdog of 200 ms"), std::string::npos) << worker.log();

  std::filesystem::remove(hang);
  Outcomes out = collect(client, 1);
  ASSERT_EQ(out.results.size(), 1u) << worker.log();
  r = status_until(client, [](const schemas::StatusReply& r) { return !stalled(r); });
  EXPECT_FALSE(stalled(r)) << "still stalled after the batch returned";
  EXPECT_EQ(worker.child().terminate(5000ms), 0) << worker.log();
}

TEST(WorkerWatchdog, WithWatchdogExitAStalledWorkerLeavesTheBrokerAndExitsThree) {
  TempDir dir("watchdog-exit");
  const std::string hang = dir.file("hang");
  std::ofstream(hang) << "hang\n";
  InProcessBroker broker(broker_options());
  WorkerProcess worker(dir.path(), "w0", broker.worker_endpoint(), "redis://127.0.0.1:1",
                       {"--no-persist", "--watchdog-ms", "200", "--watchdog-exit", "--sim-hang-file", hang});
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << worker.log();
  client.submit({make_task("t1", "a cactus", 1)});

  std::optional<int> status = worker.child().wait(kDeadline);
  ASSERT_TRUE(status.has_value()) << "the stalled worker did not exit\n" << worker.log();
  EXPECT_EQ(*status, kWatchdogExitCode) << worker.log();
  EXPECT_NE(worker.log().find("exiting with status 3"), std::string::npos) << worker.log();
  // Its DISCONNECT gave the task back: queued again, attempt 1 spent.
  schemas::StatusReply r = status_until(client, [](const schemas::StatusReply& r) { return r.workers == 0; });
  EXPECT_EQ(r.workers, 0);
  EXPECT_EQ(r.queued, 1);
  EXPECT_EQ(r.in_flight, 0);
}

}  // namespace
}  // namespace bigpe::testing
