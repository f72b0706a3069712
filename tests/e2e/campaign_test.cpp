// `bigpe campaign` end to end through the real executable: a small grid
// (two variants x two repeats, sim backends, no render cost) runs over one
// infrastructure and writes its tables and Redis records; a campaign killed
// mid-way resumes as a whole to the same results; a campaign file that
// changes the experiments' meaning is refused on resume.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/csv_reader.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_text_file;
using testing::run_bigpe;

std::string write_campaign(const testing::TempDir& dir) {
  return testing::write_small_campaign(dir.path(), "repeats: 2\nseed_base: 3\ntaste_from_repeat: true\n");
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  return testing::read_csv_rows(path);
}

// The result columns of summary.csv keyed by variant.rK (ids and render
// counters differ between runs of the same campaign).
std::map<std::string, std::string> results_of(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& row : read_csv(dir + "/summary.csv")) {
    std::string r;
    for (const char* c : {"seed", "taste_seed", "status", "iterations", "initial_best", "last_best", "plain",
                          "baseline", "professional", "optimized"})
      r += std::string(c) + "=" + row[c] + ";";
    out[row["variant"] + ".r" + row["repeat"]] = r;
  }
  return out;
}

TEST(Campaign, SmallGridRunsOverOneInfrastructureAndWritesItsTablesAndRecords) {
  testing::TempDir dir("bigpe-campaign");
  const std::string campaign = write_campaign(dir);
  const std::string out = dir.file("c");
  Invocation r = run_bigpe({"campaign", campaign, "--out", out}, dir.file("log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4/4 experiments finished"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[ucb.r1] iter 2/2"), std::string::npos) << r.output;

  std::vector<std::map<std::string, std::string>> rows = read_csv(out + "/summary.csv");
  ASSERT_EQ(rows.size(), 4u);
  std::map<std::string, std::map<std::string, std::string>> by_name;
  for (auto& row : rows) {
    EXPECT_EQ(row["status"], "finished") << row["experiment_id"];
    EXPECT_EQ(row["iterations"], "2") << row["experiment_id"];
    EXPECT_FALSE(row["optimized"].empty()) << row["experiment_id"];
    EXPECT_GT(std::stod(row["baseline"]), 15.0) << row["experiment_id"];
    by_name[row["variant"] + ".r" + row["repeat"]] = row;
  }
  ASSERT_EQ(by_name.size(), 4u);
  // Repeat k of each variant shares seed and taste (paired); repeats differ.
  EXPECT_EQ(by_name["ucb.r0"]["seed"], "3");
  EXPECT_EQ(by_name["greedy.r1"]["seed"], "4");
  EXPECT_EQ(by_name["ucb.r1"]["taste_seed"], by_name["greedy.r1"]["taste_seed"]);
  EXPECT_NE(by_name["ucb.r0"]["taste_seed"], by_name["ucb.r1"]["taste_seed"]);
  // The held-out baseline of one (seed, taste) is the same for every variant.
  EXPECT_EQ(by_name["ucb.r0"]["baseline"], by_name["greedy.r0"]["baseline"]);

  std::vector<std::map<std::string, std::string>> table = read_csv(out + "/table.csv");
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0]["variant"], "ucb");
  EXPECT_EQ(table[1]["variant"], "greedy");
  for (auto& row : table) {
    EXPECT_EQ(row["finished"], "2");
    EXPECT_LE(std::stod(row["gain_over_baseline_ci_low"]), std::stod(row["gain_over_baseline_mean"]));
    EXPECT_GE(std::stod(row["gain_over_baseline_ci_high"]), std::stod(row["gain_over_baseline_mean"]));
  }
  EXPECT_NE(read_text_file(out + "/summary.md").find("| greedy | 2/2"), std::string::npos);
  nlohmann::ordered_json report = json::parse_strict(read_text_file(out + "/experiments/greedy.r1/report.json"));
  EXPECT_EQ(json::require_int(report, "iterations"), 2);
  EXPECT_FALSE(testing::read_text_file(out + "/live.json").size() > 0) << "live.json must go with the services";
  // The campaign's console and each experiment's whole output are saved.
  const std::string console = read_text_file(out + "/console.log");
  EXPECT_EQ(console.rfind("===== started ", 0), 0u) << console;
  EXPECT_NE(console.find("(bigpe campaign) =====\n"), std::string::npos) << console;
  EXPECT_NE(console.find("\n[ucb.r1] iter 2/2 "), std::string::npos) << console;
  EXPECT_NE(console.find("\ncampaign small-"), std::string::npos) << console;
  EXPECT_NE(console.find("4/4 experiments finished\n"), std::string::npos) << console;
  const std::string member = read_text_file(out + "/experiments/ucb.r1/console.log");
  EXPECT_NE(member.find("(bigpe campaign) =====\n"), std::string::npos) << member;
  EXPECT_NE(member.find("\niter 2/2 "), std::string::npos) << member;
  EXPECT_NE(member.find("\nfinal instruction ("), std::string::npos) << member;
  EXPECT_NE(member.find("\ngain over I0 (paired) "), std::string::npos) << member;
  EXPECT_EQ(member.find("[ucb.r1]"), std::string::npos) << "an experiment's own log is not prefixed";

  // The whole campaign exports, one row per experiment with its cell.
  Invocation ex = run_bigpe({"export", out, "--out", dir.file("export"), "--no-images"}, dir.file("export.log"));
  ASSERT_EQ(ex.exit_code, 0) << ex.output;
  std::vector<std::string> exported = testing::read_lines(dir.file("export") + "/experiments.jsonl");
  ASSERT_EQ(exported.size(), 4u);
  for (const std::string& line : exported) {
    nlohmann::ordered_json row = json::parse_strict(line);
    EXPECT_EQ(json::require_int(row, "iterations"), 2);
    EXPECT_TRUE(row.at("variant").get<std::string>() == "ucb" || row.at("variant").get<std::string>() == "greedy");
    EXPECT_EQ(row.at("campaign_id").get<std::string>().rfind("small-", 0), 0u);
  }

  // The shared private redis-server holds the campaign and its experiments.
  nlohmann::ordered_json cj = json::parse_strict(read_text_file(out + "/campaign.json"));
  const std::string id = cj.at("campaign_id").get<std::string>();
  RedisServer server(RedisServerOptions{out + "/redis"});
  RedisClient redis(server.options());
  EXPECT_EQ(redis.command({"HGET", "bigpe:campaign:" + id, "status"}).str, "finished");
  EXPECT_EQ(redis.command({"ZSCORE", "bigpe:campaigns", id}).is_nil(), false);
  const nlohmann::ordered_json members =
      json::parse_strict(redis.command({"HGET", "bigpe:campaign:" + id, "experiments"}).str);
  ASSERT_EQ(members.size(), 4u);
  std::set<std::string> variants;
  for (const nlohmann::ordered_json& m : members) {
    const std::string eid = m.at("id").get<std::string>();
    EXPECT_EQ(redis.command({"HGET", "bigpe:exp:" + eid + ":meta", "campaign_id"}).str, id);
    EXPECT_EQ(redis.command({"HGET", "bigpe:exp:" + eid + ":meta", "status"}).str, "finished");
    variants.insert(redis.command({"HGET", "bigpe:exp:" + eid + ":meta", "variant"}).str);
  }
  EXPECT_EQ(variants, (std::set<std::string>{"ucb", "greedy"}));
}

TEST(Campaign, KilledCampaignResumesAsAWholeToTheSameResultsAndRefusesAChangedGrid) {
  testing::TempDir dir("bigpe-campaign-resume");
  const std::string campaign = write_campaign(dir);
  Invocation ref = run_bigpe({"campaign", campaign, "--out", dir.file("ref")}, dir.file("ref.log"));
  ASSERT_EQ(ref.exit_code, 0) << ref.output;

  const std::string cut = dir.file("cut");
  Invocation killed = run_bigpe({"campaign", campaign, "--out", cut}, dir.file("cut0.log"),
                                {{"BIGPE_FAULT_KILL_AT", "iter:2:rendered"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.output;
  EXPECT_FALSE(read_text_file(cut + "/live.json").empty()) << "a killed owner leaves live.json behind";

  Invocation refused = run_bigpe({"campaign", campaign, "--resume", "--out", cut, "iterations=3"}, dir.file("cut1.log"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("iterations"), std::string::npos) << refused.output;

  Invocation resumed = run_bigpe({"resume", cut}, dir.file("cut2.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("4/4 experiments finished"), std::string::npos) << resumed.output;
  EXPECT_EQ(results_of(cut), results_of(dir.file("ref")));
  const std::string member = read_text_file(cut + "/experiments/greedy.r0/console.log");
  EXPECT_NE(member.find("(bigpe campaign) =====\n"), std::string::npos) << member;
  EXPECT_NE(member.find("\n===== resumed "), std::string::npos) << member;
  EXPECT_NE(member.find(" UTC (bigpe resume) =====\n"), std::string::npos) << member;
  EXPECT_NE(read_text_file(cut + "/console.log").find(" UTC (bigpe resume) =====\n"), std::string::npos);

  // Resuming a finished campaign from its file redoes nothing and says so.
  Invocation again = run_bigpe({"campaign", campaign, "--resume", "--out", cut}, dir.file("cut3.log"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.find(" iter "), std::string::npos) << again.output;
  EXPECT_EQ(results_of(cut), results_of(dir.file("ref")));
}

TEST(Campaign, MoreRepeatsOnAFinishedCampaignRunOnlyTheNewOnesAndRefuseAnyOtherChange) {
  testing::TempDir dir("bigpe-campaign-repeats");
  const std::string campaign = testing::write_small_campaign(dir.path(), "repeats: 1\nseed_base: 3\ntaste_from_repeat: true\n");
  const std::string grown = dir.file("grown");
  Invocation first = run_bigpe({"campaign", campaign, "--out", grown}, dir.file("first.log"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::map<std::string, std::string> before = results_of(grown);
  ASSERT_EQ(before.size(), 2u);

  Invocation more = run_bigpe({"campaign", campaign, "--out", grown, "repeats=3"}, dir.file("more.log"));
  ASSERT_EQ(more.exit_code, 0) << more.output;
  EXPECT_NE(more.output.find(": 4 new experiments (added repeats)"), std::string::npos) << more.output;
  EXPECT_NE(more.output.find("6/6 experiments finished"), std::string::npos) << more.output;
  // Only the new repeats ran their iterations; the first ones were kept.
  for (const char* fresh : {"[ucb.r1] iter 2/2", "[ucb.r2] iter 2/2", "[greedy.r1] iter 2/2", "[greedy.r2] iter 2/2"})
    EXPECT_NE(more.output.find(fresh), std::string::npos) << fresh << "\n" << more.output;
  EXPECT_EQ(more.output.find("[ucb.r0] iter "), std::string::npos) << more.output;
  // A finished member is not resumed "at iteration 3/2".
  EXPECT_NE(more.output.find("after its 2 iterations"), std::string::npos) << more.output;
  EXPECT_EQ(more.output.find("at iteration 3/2"), std::string::npos) << more.output;
  EXPECT_EQ(more.output.find("[greedy.r0] iter "), std::string::npos) << more.output;

  // The summary covers all three repeats, equal to a campaign made with three.
  const std::string direct = dir.file("direct");
  const std::string three = dir.file("three.campaign.yaml");
  std::ofstream(three) << read_text_file(campaign).replace(read_text_file(campaign).find("repeats: 1"), 10, "repeats: 3");
  Invocation ref = run_bigpe({"campaign", three, "--out", direct}, dir.file("direct.log"));
  ASSERT_EQ(ref.exit_code, 0) << ref.output;
  const std::map<std::string, std::string> after = results_of(grown);
  ASSERT_EQ(after.size(), 6u);
  EXPECT_EQ(after, results_of(direct));
  EXPECT_EQ(after.at("ucb.r0"), before.at("ucb.r0"));
  for (auto& row : read_csv(grown + "/table.csv")) {
    EXPECT_EQ(row["finished"], "3") << row["variant"];
    EXPECT_EQ(row["repeats"], "3") << row["variant"];
  }
  // The campaign's records list the new members (status reads them).
  Invocation status = run_bigpe({"status", grown}, dir.file("status.log"));
  EXPECT_NE(status.output.find("6/6 experiments finished"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("greedy.r2"), std::string::npos) << status.output;

  // Fewer repeats, or more with another change, are refused naming why.
  Invocation fewer = run_bigpe({"campaign", campaign, "--out", grown, "repeats=2"}, dir.file("fewer.log"));
  EXPECT_EQ(fewer.exit_code, 1) << fewer.output;
  EXPECT_NE(fewer.output.find("variant ucb: the campaign holds 3 repeats, the grid 2 (repeats may grow, never shrink)"),
            std::string::npos)
      << fewer.output;
  Invocation changed = run_bigpe({"campaign", campaign, "--out", grown, "repeats=4", "iterations=3"}, dir.file("changed.log"));
  EXPECT_EQ(changed.exit_code, 1) << changed.output;
  EXPECT_NE(changed.output.find("ucb.r0: iterations: stored '2', now '3'"), std::string::npos) << changed.output;
  EXPECT_FALSE(std::filesystem::exists(grown + "/experiments/ucb.r3")) << "a refused change creates nothing";
  Invocation bad = run_bigpe({"campaign", campaign, "--out", grown, "repeats=many"}, dir.file("bad.log"));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("override 'repeats=many': the campaign's repeats: expected a whole number"), std::string::npos)
      << bad.output;
  Invocation by_resume = run_bigpe({"resume", grown, "repeats=4"}, dir.file("resume.log"));
  EXPECT_EQ(by_resume.exit_code, 1) << by_resume.output;
  EXPECT_NE(by_resume.output.find("a campaign's repeats grow from its file: bigpe campaign "), std::string::npos)
      << by_resume.output;
  EXPECT_EQ(results_of(grown), after) << "refusals change nothing";
}

}  // namespace
}  // namespace bigpe
