// `bigpe status` on a running campaign: the campaign runs as a child process
// (with more iterations than it can finish), `bigpe status FOLDER` is polled
// until it shows progress through the campaign's live services (its private
// redis-server and broker); after SIGTERM the campaign stops resumable, and
// status (now starting the folder's redis-server itself) says so, also in
// --follow mode, which ends because nothing runs any more.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>

#include "common/child_process.h"
#include "tests/support/bigpe_invocation.h"
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
  const std::regex progress(R"(ucb\.r[01]\s+running\s+\[[#.]+\]\s+[1-9][0-9]*/100000 it)");
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

}  // namespace
}  // namespace bigpe
