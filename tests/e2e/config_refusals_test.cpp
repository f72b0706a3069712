// A config that cannot run is refused by the real `bigpe` executable before
// anything exists: exit 1 (not 2, "stopped ... resumable"), an error naming
// the file, the line and the key, no run or campaign folder, nothing in
// Redis. Each case here used to create the run folder and stop later, or
// (a directory, an empty file) run a default experiment.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "scheduler/store/run_folder.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace fs = std::filesystem;

namespace bigpe {
namespace {

using testing::Invocation;
using testing::run_bigpe;

// Keeps a run quick if it was (wrongly) started after all.
const std::vector<std::string> kQuick = {"iterations=1", "sim.cost_ms=0", "eval.enabled=false",
                                         "write_images=false"};

std::vector<std::string> args(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

void expect_refused(const Invocation& r, const std::string& run_dir) {
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output.find("resum"), std::string::npos) << "a config error is not a stopped run:\n" << r.output;
  EXPECT_FALSE(fs::exists(run_dir)) << run_dir << " was created:\n" << r.output;
}

TEST(ConfigRefusals, AMissingQueriesFileIsRefusedBeforeTheRunFolderOrRedisIsTouched) {
  testing::TempDir dir("bigpe-refuse-queries");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  const std::string config = dir.file("bad.yaml");
  std::ofstream(config) << "name: x\nqueries:\n  path: " << dir.file("nope.txt") << "\n";
  const std::string run = dir.file("run");
  Invocation r = run_bigpe(args({"run", config, "out=" + run, "redis=" + server.url()}, kQuick), dir.file("log"));
  expect_refused(r, run);
  EXPECT_NE(r.output.find("bigpe run: " + config + ":3: key 'queries.path': cannot read " + dir.file("nope.txt") +
                          " (No such file or directory)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(RedisClient(server.options()).command({"DBSIZE"}).integer, 0);
}

TEST(ConfigRefusals, EveryProblemIsListedWithItsOrigin) {
  testing::TempDir dir("bigpe-refuse-several");
  const std::string config = dir.file("x.yaml");
  std::ofstream(config) << "name: x\nloop: budget\nbudget:\n  gradients: 9\nprofessional:\n  source: jsonl\n";
  const std::string run = dir.file("run");
  Invocation r = run_bigpe(args({"run", config, "out=" + run, "llm.backend=openai",
                                 "llm.api_key_env=BIGPE_TEST_REFUSALS_UNSET_KEY"},
                                kQuick),
                           dir.file("log"));
  expect_refused(r, run);
  EXPECT_NE(r.output.find("bigpe run: 3 problems in the config:\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  " + config + ":4: key 'budget.gradients': budget.expand x budget.gradients = 2 x 9"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  " + config + ":6: key 'professional.source': jsonl needs professional.path"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  override 'llm.api_key_env=BIGPE_TEST_REFUSALS_UNSET_KEY': key 'llm.api_key_env': "
                          "names the environment variable BIGPE_TEST_REFUSALS_UNSET_KEY, which is not set"),
            std::string::npos)
      << r.output;
}

TEST(ConfigRefusals, ADirectoryOrAFileWithoutKeysIsNotAnExperiment) {
  testing::TempDir dir("bigpe-refuse-empty");
  const std::string run = dir.file("run");
  Invocation folder = run_bigpe(args({"run", dir.path(), "out=" + run}, kQuick), dir.file("log1"));
  expect_refused(folder, run);
  EXPECT_NE(folder.output.find("bigpe run: " + dir.path() + ": is a directory, not a YAML config file"),
            std::string::npos)
      << folder.output;
  for (const char* text : {"", "# nothing here\n"}) {
    std::ofstream(dir.file("empty.yaml")) << text;
    Invocation empty = run_bigpe(args({"run", dir.file("empty.yaml"), "out=" + run}, kQuick), dir.file("log2"));
    expect_refused(empty, run);
    EXPECT_NE(empty.output.find("bigpe run: " + dir.file("empty.yaml") + ": holds no keys"), std::string::npos)
        << empty.output;
  }
}

TEST(ConfigRefusals, ACampaignMemberThatCannotRunIsRefusedBeforeTheCampaignFolderExists) {
  testing::TempDir dir("bigpe-refuse-campaign");
  const std::string campaign = dir.file("c.campaign.yaml");
  std::ofstream(campaign) << "name: c\n"
                          << "base: " << BIGPE_SOURCE_DIR << "/experiments/quickstart.yaml\n"
                          << "variants:\n"
                          << "  - name: good\n"
                          << "  - name: bad\n"
                          << "    set:\n"
                          << "      queries.path: " << dir.file("nope.txt") << "\n";
  const std::string out = dir.file("out");
  Invocation r = run_bigpe(args({"campaign", campaign, "--out", out}, kQuick), dir.file("log"));
  expect_refused(r, out);
  EXPECT_NE(r.output.find("bigpe campaign: " + campaign + ":7: key 'queries.path': cannot read " +
                          dir.file("nope.txt")),
            std::string::npos)
      << r.output;
}

TEST(ConfigRefusals, AResumeWhoseInputIsGoneIsRefusedBeforeItsServicesStart) {
  testing::TempDir dir("bigpe-refuse-resume");
  const std::string run = dir.file("run");
  fs::create_directories(run);
  engine::RunFile rf;
  rf.experiment_id = "x-20250101-000000-abcdef";
  rf.values = {{"name", "x"}, {"queries.path", dir.file("gone.txt")}};
  rf.infra_dir = ".";
  engine::write_run_file(run, rf);
  Invocation r = run_bigpe({"resume", run}, dir.file("log"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("bigpe resume: " + run + "/run.json: key 'queries.path': cannot read " +
                          dir.file("gone.txt") + " (No such file or directory)"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(run + "/redis")) << "the private redis-server was started";
  EXPECT_FALSE(fs::exists(run + "/.lock")) << "the run folder was locked";
}

}  // namespace
}  // namespace bigpe
