// `bigpe status` on a running campaign: the campaign runs as a child process
// (with more iterations than it can finish), `bigpe status FOLDER` is polled
// until it shows progress through the campaign's live services (its private
// redis-server and broker); after SIGTERM the campaign stops resumable, and
// status (now starting the folder's redis-server itself) says so, also in
// --follow mode, which ends because nothing runs any more. A run that ends
// while status follows it gets a final frame (its Redis went with it), and
// labels are never cut.
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "common/child_process.h"
#include "common/free_port.h"
#include "scheduler/store/live_endpoints.h"
#include "scheduler/store/run_lock.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/redis_fixture.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::run_bigpe;

TEST(Status, ShowsARunningCampaignsProgressWorkersAndThenItsStop) {
  testing::TempDir dir("bigpe-status");
  const std::string campaign = dir.file("c.yaml"), cdir = dir.file("c");
  std::ofstream(campaign) << "name: statusc\nbase: " << BIGPE_SOURCE_DIR << "/experiments/quickstart.yaml\n"
                          << "set: {iterations: 100000, batch_size: 1, sim.cost_ms: 2, write_images: false}\n"
                          << "variants:\n  - name: ucb\n    set: {selector.kind: ucb}\n"
                          << "repeats: 2\ntaste_from_repeat: true\n";
  ChildProcess run(testing::bigpe_options({"campaign", campaign, "--out", cdir}, dir.file("campaign.log")));

  // Bounded polling: each status call is a complete process run; stop at the
  // first one that shows an iteration done, or give up after many tries.
  const std::regex progress(R"(ucb\.r[01]\s+running\s+\[[#.]+\]\s+[1-9][0-9]*/100000 it  training )");
  std::string shown;
  bool seen = false;
  for (int attempt = 0; attempt < 3000 && !seen && run.running(); ++attempt) {
    Invocation s = run_bigpe({"status", cdir}, dir.file("status.log"), {}, std::chrono::seconds(60));
    std::remove(dir.file("status.log").c_str());
    shown = s.output;
    seen = s.exit_code == 0 && std::regex_search(shown, progress);
  }
  ASSERT_TRUE(seen) << "status never showed progress; last output:\n" << shown << "\ncampaign log:\n"
                    << testing::read_text_file(dir.file("campaign.log"));
  EXPECT_NE(shown.find("campaign statusc-"), std::string::npos) << shown;
  EXPECT_NE(shown.find("running"), std::string::npos) << shown;
  EXPECT_NE(shown.find("0/2 experiments finished"), std::string::npos) << shown;
  // The live broker answered STATUS: two local workers serve the sim service.
  EXPECT_NE(shown.find("service sim"), std::string::npos) << shown;
  EXPECT_NE(shown.find("2 workers"), std::string::npos) << shown;
  EXPECT_NE(shown.find("identity sim-image-v1;size=64+sim-v1;vocab="), std::string::npos) << shown;
  // And each worker with its services and what it holds.
  const std::regex worker_line(R"(\n  worker [^ ]+ \(sim\): [0-9]+/[0-9]+ held)");
  EXPECT_EQ(std::distance(std::sregex_iterator(shown.begin(), shown.end(), worker_line), std::sregex_iterator()), 2)
      << shown;

  run.send_signal(SIGTERM);
  std::optional<int> code = run.wait(std::chrono::seconds(120));
  ASSERT_TRUE(code.has_value()) << testing::read_text_file(dir.file("campaign.log"));
  EXPECT_EQ(*code, 128 + SIGTERM) << testing::read_text_file(dir.file("campaign.log"));

  Invocation after = run_bigpe({"status", cdir, "--follow", "--interval", "0.1"}, dir.file("after.log"));
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_NE(after.output.find("--- "), std::string::npos) << after.output;  // plain frames off a terminal
  EXPECT_NE(after.output.find("stopped"), std::string::npos) << after.output;
  EXPECT_EQ(after.output.find("\x1b["), std::string::npos) << "no terminal escapes when not on a terminal";
}

// The quickstart cut to a few renders.
std::vector<std::string> tiny_run(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"run", std::string(BIGPE_SOURCE_DIR) + "/experiments/quickstart.yaml",
                                   "iterations=1", "batch_size=1", "sim.cost_ms=0", "eval.seeds=1",
                                   "queries.heldout=2", "write_images=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(Status, FollowingARunThatEndsShowsItsFinalFrame) {
  testing::TempDir dir("bigpe-status-end");
  const std::string run = dir.file("run");
  Invocation r = run_bigpe(tiny_run({"out=" + run}), dir.file("run.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // The moment status sees when a run ends: the owner still holds the
  // folder, but its private Redis (named in live.json) is gone.
  std::optional<engine::RunLock> lock(engine::RunLock::acquire(run));
  std::optional<engine::LiveEndpointsFile> live;
  live.emplace(run, engine::LiveEndpoints{"redis://127.0.0.1:" + std::to_string(free_loopback_port()), "",
                                          static_cast<long>(::getpid())});
  const std::string log = dir.file("follow.log");
  ChildProcess follow(testing::bigpe_options({"status", run, "--follow", "--interval", "0.1"}, log));
  bool waiting = false;
  for (int i = 0; i < 2000 && !waiting && follow.running(); ++i) {
    waiting = testing::read_text_file(log).find("the run is ending") != std::string::npos;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the log
  }
  ASSERT_TRUE(waiting) << testing::read_text_file(log);
  live.reset();  // the owner exits
  lock.reset();
  std::optional<int> code = follow.wait(std::chrono::seconds(120));
  ASSERT_TRUE(code.has_value()) << testing::read_text_file(log);
  const std::string shown = testing::read_text_file(log);
  EXPECT_EQ(*code, 0) << shown;
  EXPECT_EQ(shown.find("bigpe status:"), std::string::npos) << "an error instead of a final frame:\n" << shown;
  const std::regex final_frame(R"(--- [0-9:]+\nexperiment quickstart-\S+ +finished +\[#+\] +1/1 +it  done )");
  EXPECT_TRUE(std::regex_search(shown, final_frame)) << shown;
}

class StatusLabels : public RedisFixture {};

TEST_F(StatusLabels, ExperimentIdsAreShownWhole) {
  // Two experiments of one long name, started within a second: their ids
  // differ only in the random suffix at the end.
  const std::string url = server().options().url_without_password();
  const std::string name = "a-long-experiment-name-for-the-status-table";
  std::vector<std::string> ids;
  for (int k = 0; k < 2; ++k) {
    const std::string out = temp_dir().file("run" + std::to_string(k));
    Invocation r = run_bigpe(tiny_run({"out=" + out, "name=" + name, "redis=" + url, "eval.enabled=false"}),
                             temp_dir().file("run.log"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::smatch m;
    const std::string text = testing::read_text_file(out + "/run.json");
    ASSERT_TRUE(std::regex_search(text, m, std::regex("\"(" + name + "-[^\"]+)\""))) << text;
    ids.push_back(m[1]);
  }
  Invocation s = run_bigpe({"status", "--redis", url}, temp_dir().file("status.log"));
  ASSERT_EQ(s.exit_code, 0) << s.output;
  for (const std::string& id : ids) EXPECT_NE(s.output.find("experiment " + id + " "), std::string::npos) << s.output;
}

}  // namespace
}  // namespace bigpe
