// What `bigpe run` and `bigpe campaign` with the embedded default (private
// redis-server, in-process broker, local workers) do when a dependency dies
// under them, struck at exact points by fault hooks:
//   - BIGPE_FAULT_KILL_REDIS_AT SIGKILLs the private redis-server there: it
//     is restarted from its append-only file and the run ends exactly as an
//     undisturbed one; with redis_restarts=0 the run stops at once, naming
//     Redis and how to resume, exit 2, and the resume ends as undisturbed;
//   - BIGPE_FAULT_THROW_AT=broker:result#N fails the embedded broker's
//     thread at its Nth result: the campaign stops (exit 2, resumable) and
//     the resume ends with the undisturbed results.
// Never an exception that escapes a thread, never a core dump.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/bigpe_invocation.h"
#include "tests/support/run_results.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::campaign_results;
using testing::ended_by_its_own_code;
using testing::Invocation;
using testing::run_bigpe;
using testing::run_result;
using testing::small_run_args;

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool has(const std::string& output, const std::string& part) { return output.find(part) != std::string::npos; }

class PrivateRedisKilled : public ::testing::TestWithParam<const char*> {};

TEST_P(PrivateRedisKilled, IsRestartedFromItsFileAndTheRunEndsAsAnUndisturbedOne) {
  testing::TempDir dir("bigpe-redis-killed");
  Invocation plain = run_bigpe(small_run_args(dir.file("plain")), dir.file("plain.log"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;

  Invocation hit = run_bigpe(small_run_args(dir.file("run")), dir.file("run.log"),
                             {{"BIGPE_FAULT_KILL_REDIS_AT", GetParam()}});
  EXPECT_EQ(hit.exit_code, 0) << hit.output;
  EXPECT_TRUE(has(hit.output, "was killed by signal 9")) << "the kill was not struck:\n" << hit.output;
  EXPECT_TRUE(has(hit.output, "restarting it from its append-only file (restart 1 of at most 3)")) << hit.output;
  EXPECT_TRUE(has(hit.output, "is back")) << hit.output;
  EXPECT_TRUE(ended_by_its_own_code(hit.output)) << hit.output;
  EXPECT_EQ(run_result(hit.output), run_result(plain.output));
}

// Between renders and commit (scheduler and LLM cache), before the renders
// (the dispatcher's lookups, then the workers'), and in the evaluation.
INSTANTIATE_TEST_SUITE_P(Points, PrivateRedisKilled,
                         ::testing::Values("iter:2:rendered", "iter:2:generated", "eval:rendered"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == ':') c = '_';
                           return name;
                         });

TEST(PrivateRedisLost, WithRestartsOffTheRunStopsAtOnceResumablyAndResumesToTheUndisturbedResult) {
  testing::TempDir dir("bigpe-redis-lost");
  Invocation plain = run_bigpe(small_run_args(dir.file("plain")), dir.file("plain.log"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;

  const std::string run = dir.file("run");
  Invocation stopped = run_bigpe(with(small_run_args(run), {"redis_restarts=0"}), dir.file("stopped.log"),
                                 {{"BIGPE_FAULT_KILL_REDIS_AT", "iter:2:rendered"}});
  EXPECT_EQ(stopped.exit_code, 2) << stopped.output;
  // The stop names Redis and why, from the supervisor's notice: the
  // clients did not wait out their 20 s reconnect window.
  EXPECT_TRUE(has(stopped.output, "stopped: redis redis://127.0.0.1:")) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "was killed by signal 9 (Killed); not restarted (restarts are off)"))
      << stopped.output;
  EXPECT_TRUE(has(stopped.output, "the experiment is resumable: bigpe resume " + run)) << stopped.output;
  EXPECT_FALSE(has(stopped.output, "final instruction (")) << stopped.output;
  EXPECT_TRUE(ended_by_its_own_code(stopped.output)) << stopped.output;

  Invocation resumed = run_bigpe({"resume", run}, dir.file("resumed.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(run_result(resumed.output), run_result(plain.output));
}

TEST(PrivateRedisLost, UnderACampaignItStopsResumablyWithoutItsSummaryAndResumesToTheUndisturbedResults) {
  testing::TempDir dir("bigpe-campaign-redis-lost");
  const std::string campaign = testing::write_small_campaign(dir.path(), "repeats: 1\n");
  Invocation plain = run_bigpe({"campaign", campaign, "--out", dir.file("plain")}, dir.file("plain.log"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;

  const std::string out = dir.file("c");
  Invocation stopped = run_bigpe({"campaign", campaign, "--out", out, "redis_restarts=0"}, dir.file("stopped.log"),
                                 {{"BIGPE_FAULT_KILL_REDIS_AT", "iter:2:rendered"}});
  EXPECT_EQ(stopped.exit_code, 2) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "not restarted (restarts are off)")) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "0/2 experiments finished; no summary written: redis ")) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "resume with: bigpe resume " + out)) << stopped.output;
  EXPECT_TRUE(ended_by_its_own_code(stopped.output)) << stopped.output;

  Invocation resumed = run_bigpe({"resume", out}, dir.file("resumed.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(campaign_results(out), campaign_results(dir.file("plain")));
}

TEST(EmbeddedBrokerFails, TheCampaignStopsResumablyAndResumesToTheUndisturbedResults) {
  testing::TempDir dir("bigpe-broker-fails");
  const std::string campaign = testing::write_small_campaign(dir.path(), "repeats: 1\n");
  Invocation plain = run_bigpe({"campaign", campaign, "--out", dir.file("plain")}, dir.file("plain.log"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;

  const std::string out = dir.file("c");
  Invocation stopped = run_bigpe({"campaign", campaign, "--out", out}, dir.file("stopped.log"),
                                 {{"BIGPE_FAULT_THROW_AT", "broker:result#30"}});
  EXPECT_EQ(stopped.exit_code, 2) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "the embedded broker stopped: fault injected at broker:result")) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "0/2 experiments finished")) << stopped.output;
  EXPECT_TRUE(has(stopped.output, "resume with: bigpe resume " + out)) << stopped.output;
  EXPECT_TRUE(ended_by_its_own_code(stopped.output)) << stopped.output;

  Invocation resumed = run_bigpe({"resume", out}, dir.file("resumed.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(campaign_results(out), campaign_results(dir.file("plain")));
}

}  // namespace
}  // namespace bigpe
