// Ctrl-C and SIGTERM delivered to `bigpe run` and `bigpe campaign` at exact
// points (BIGPE_FAULT_SIGNAL_AT sends the signal to the process group, as a
// terminal or a supervisor does, so it reaches the private redis-server too
// unless that runs in a group of its own): the process stops in order and
// exits 130 / 143 with a line telling how to resume, nothing escapes a
// thread, and the resumed run ends exactly where an undisturbed one ends.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/child_process.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/run_results.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_text_file;
using testing::campaign_results;
using testing::run_bigpe;
using testing::run_result;
using testing::small_run_args;

struct Stop {
  const char* signal;  // INT | TERM
  const char* point;   // a fault point's name
  int exit_code;
};

// Runs bigpe in a process group of its own (the signal goes to the whole
// group and must not reach the test runner), to completion or the limit.
Invocation run_signalled(const std::vector<std::string>& args, const std::string& log, const Stop& stop) {
  ChildProcessOptions o = testing::bigpe_options(
      args, log, {{"BIGPE_FAULT_SIGNAL_AT", stop.point}, {"BIGPE_FAULT_SIGNAL", stop.signal}});
  o.own_process_group = true;
  return testing::run_child(o);
}

void expect_orderly(const Invocation& r, const Stop& stop, const std::string& resume_dir) {
  EXPECT_EQ(r.exit_code, stop.exit_code) << r.output;
  EXPECT_NE(r.output.find(std::string("interrupted by SIG") + stop.signal), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bigpe resume " + resume_dir), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Connection refused"), std::string::npos) << "Redis went before the run:\n" << r.output;
  EXPECT_EQ(r.output.find("could not record the stop reason"), std::string::npos) << r.output;
}

class RunInterrupt : public ::testing::TestWithParam<Stop> {};

TEST_P(RunInterrupt, StopsInOrderAndResumesToTheUndisturbedResult) {
  const Stop stop = GetParam();
  testing::TempDir dir("bigpe-interrupt");
  Invocation plain = run_bigpe(small_run_args(dir.file("plain")), dir.file("plain.log"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;

  const std::string run = dir.file("run");
  Invocation stopped = run_signalled(small_run_args(run), dir.file("stopped.log"), stop);
  expect_orderly(stopped, stop, run);

  Invocation resumed = run_bigpe({"resume", run}, dir.file("resumed.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(run_result(resumed.output), run_result(plain.output));
}

INSTANTIATE_TEST_SUITE_P(Points, RunInterrupt,
                         ::testing::Values(Stop{"INT", "iter:2:rendered", 130}, Stop{"TERM", "iter:1:generated", 143},
                                           Stop{"INT", "eval:rendered", 130}));

TEST(CampaignInterrupt, SigtermStopsTheCampaignInOrderAndItResumesToTheUndisturbedResults) {
  const Stop stop{"TERM", "iter:2:rendered", 143};
  testing::TempDir dir("bigpe-campaign-interrupt");
  const std::string campaign = testing::write_small_campaign(dir.path(), "repeats: 1\nconcurrency: 1\n");
  Invocation plain = run_bigpe({"campaign", campaign, "--out", dir.file("plain")}, dir.file("plain.log"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;

  const std::string out = dir.file("c");
  Invocation stopped = run_signalled({"campaign", campaign, "--out", out}, dir.file("stopped.log"), stop);
  expect_orderly(stopped, stop, out);
  // concurrency 1: the second experiment never started.
  EXPECT_NE(stopped.output.find("stopped: not started"), std::string::npos) << stopped.output;

  Invocation resumed = run_bigpe({"resume", out}, dir.file("resumed.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(campaign_results(out), campaign_results(dir.file("plain")));
}

}  // namespace
}  // namespace bigpe
