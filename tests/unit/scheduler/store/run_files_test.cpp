// run.json and campaign.json (scheduler/store): the bytes written, and
// errors that name the file, the place and the key when one is damaged.
#include <gtest/gtest.h>

#include <string>

#include "common/file_io.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/store/run_folder.h"
#include "tests/support/test_paths.h"

namespace bigpe::engine {
namespace {

std::string read_error(const std::string& dir, const std::string& run_json) {
  write_file_atomic(dir + "/run.json", run_json);
  try {
    read_run_file(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(RunFile, WritesKeysInOrderAndReadsThemBack) {
  testing::TempDir dir("run-file");
  RunFile rf;
  rf.experiment_id = "e-1";
  rf.values = {{"seed", "7"}, {"name", "caf\xC3\xA9 \"q\""}};
  rf.infra_dir = "../..";
  rf.campaign_id = "c-1";
  rf.variant = "ucb";
  rf.repeat = 2;
  write_run_file(dir.path(), rf);
  EXPECT_EQ(*try_read_file(dir.file("run.json")),
            "{\"experiment_id\":\"e-1\",\"config\":{\"name\":\"caf\xC3\xA9 \\\"q\\\"\",\"seed\":\"7\"},"
            "\"infra_dir\":\"../..\",\"campaign_id\":\"c-1\",\"variant\":\"ucb\",\"repeat\":2}\n");
  const RunFile back = read_run_file(dir.path());
  EXPECT_EQ(back.experiment_id, rf.experiment_id);
  EXPECT_EQ(back.values, rf.values);
  EXPECT_EQ(back.infra_dir, rf.infra_dir);
  EXPECT_EQ(back.repeat, 2);
}

TEST(RunFile, DamageIsNamedWithFileKeyAndPosition) {
  testing::TempDir dir("run-file-bad");
  const std::string path = dir.file("run.json");
  EXPECT_EQ(read_error(dir.path(), R"({"experiment_id":"e","config":{},"repeat":1.5})"),
            path + ": JSON: key 'repeat': expected an integer, got 1.5");
  EXPECT_EQ(read_error(dir.path(), R"({"config":{}})"), path + ": JSON: missing key 'experiment_id'");
  EXPECT_EQ(read_error(dir.path(), R"({"experiment_id":"e","config":{"seed":7}})"),
            path + ": JSON: config key 'seed': expected a string, got a number");
  EXPECT_EQ(read_error(dir.path(), "{\"experiment_id\":\"e\",\n \"experiment_id\":\"f\",\"config\":{}}"),
            path + ": JSON: line 2, column 2: duplicate key 'experiment_id'");
}

TEST(CampaignFile, WritesTheSameBytesItReads) {
  testing::TempDir dir("campaign-file");
  CampaignFile c;
  c.campaign_id = "small-1";
  c.name = "small";
  c.file = "/x/small.yaml";
  c.variants_json = R"([{"name":"ucb","set":{"selector.kind":"ucb"}}])";
  c.members = {{"e-1", "ucb", 0, "experiments/ucb.r0"}};
  write_campaign_file(dir.path(), c);
  EXPECT_EQ(*try_read_file(dir.file("campaign.json")),
            R"({"campaign_id":"small-1","name":"small","file":"/x/small.yaml",)"
            R"("variants":[{"name":"ucb","set":{"selector.kind":"ucb"}}],)"
            R"("experiments":[{"id":"e-1","variant":"ucb","repeat":0,"run_dir":"experiments/ucb.r0"}]})"
            "\n");
  const CampaignFile back = read_campaign_file(dir.path());
  EXPECT_EQ(back.variants_json, c.variants_json);
  ASSERT_EQ(back.members.size(), 1u);
  EXPECT_EQ(back.members[0].run_dir, "experiments/ucb.r0");
}

TEST(CampaignFile, AMemberMissingAKeyIsNamed) {
  testing::TempDir dir("campaign-file-bad");
  write_file_atomic(dir.file("campaign.json"),
                    R"({"campaign_id":"c","name":"n","file":"f","variants":[],"experiments":[{"id":"e"}]})");
  try {
    read_campaign_file(dir.path());
    FAIL();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(dir.file("campaign.json") + ": ", 0), 0u) << what;
    EXPECT_NE(what.find("experiments: JSON: missing key 'variant'"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace bigpe::engine
