// `bigpe eval` end to end: the final instructions of two experiments of one
// campaign are evaluated against plain, I0 and professional prompts on
// shared cells; the CSV tables, the Redis records and the cache (a repeated
// evaluation renders nothing) are checked; an instruction given as text is
// evaluated against a task config in an external Redis.
#include <gtest/gtest.h>

#include <fstream>

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

// The records of a CSV file, header included (fields may hold newlines:
// instructions do).
std::vector<std::vector<std::string>> csv(const std::string& path) {
  return testing::parse_csv(read_text_file(path));
}

TEST(EvalCommand, ComparesFinalInstructionsOfExperimentsOnSharedCells) {
  testing::TempDir dir("bigpe-eval");
  const std::string campaign = dir.file("c.yaml"), cdir = dir.file("c");
  std::ofstream(campaign) << "name: evalc\nbase: " << BIGPE_SOURCE_DIR << "/experiments/quickstart.yaml\n"
                          << "set: {iterations: 2, batch_size: 2, sim.cost_ms: 0, eval.enabled: false, "
                             "write_images: false}\n"
                          << "variants:\n  - name: ucb\n    set: {selector.kind: ucb}\n"
                          << "  - name: greedy\n    set: {selector.kind: greedy}\n";
  Invocation c = run_bigpe({"campaign", campaign, "--out", cdir}, dir.file("campaign.log"));
  ASSERT_EQ(c.exit_code, 0) << c.output;

  const std::string out = dir.file("eval");
  Invocation e = run_bigpe({"eval", cdir + "/experiments/ucb.r0", cdir + "/experiments/greedy.r0", "--seeds", "2",
                            "--out", out},
                           dir.file("eval.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;

  std::vector<std::vector<std::string>> methods = csv(out + "/methods.csv");
  ASSERT_EQ(methods.size(), 6u) << e.output;  // header + 5 methods
  EXPECT_EQ(methods[0], (std::vector<std::string>{"method", "instruction", "mean", "ci_low", "ci_high", "n"}));
  std::vector<std::string> names;
  for (std::size_t i = 1; i < methods.size(); ++i) {
    const std::vector<std::string>& f = methods[i];
    ASSERT_EQ(f.size(), 6u) << f[0];
    names.push_back(f[0]);
    EXPECT_EQ(f[5], "40");  // 20 held-out queries x 2 seeds
    EXPECT_LE(std::stod(f[3]), std::stod(f[2])) << f[0];
    EXPECT_GE(std::stod(f[4]), std::stod(f[2])) << f[0];
  }
  EXPECT_EQ(methods[2][1], "This is the original prompt that you need to carefully refine");  // I0
  EXPECT_EQ(names, (std::vector<std::string>{"plain", "baseline", "professional", "optimized:ucb.r0",
                                             "optimized:greedy.r0"}));

  std::vector<std::vector<std::string>> pairs = csv(out + "/pairs.csv");
  ASSERT_EQ(pairs.size(), 1u + 10u);  // every pair of 5 methods
  EXPECT_EQ(pairs[0], (std::vector<std::string>{"a", "b", "mean_diff", "ci_low", "ci_high", "n", "n_nonzero",
                                                "wilcoxon_statistic", "z", "p_value"}));
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    const std::vector<std::string>& f = pairs[i];
    ASSERT_EQ(f.size(), 10u) << f[0];
    const double p = std::stod(f[9]);
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
    EXPECT_LE(std::stoi(f[6]), 40);
  }
  EXPECT_EQ(pairs[1][0], "baseline");
  EXPECT_EQ(pairs[1][1], "plain");
  // Experiments that ended with the same instruction differ on no cell:
  // the test then carries no evidence (p = 1).
  for (const auto& f : pairs)
    if (f[0] == "optimized:greedy.r0" && f[1] == "optimized:ucb.r0" && f[2] == "0") EXPECT_EQ(f[9], "1");

  std::vector<std::vector<std::string>> cells = csv(out + "/cells.csv");
  EXPECT_EQ(cells.size(), 1u + 5u * 40u);

  // Stored with each experiment, and a repeat renders nothing new.
  nlohmann::ordered_json cj = json::parse_strict(read_text_file(cdir + "/campaign.json"));
  const std::string ucb_id = cj.at("experiments").at(0).at("id").get<std::string>();
  Invocation again = run_bigpe({"eval", cdir + "/experiments/ucb.r0", cdir + "/experiments/greedy.r0", "--seeds",
                                "2", "--out", out},
                               dir.file("again.log"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("renders: 0 done"), std::string::npos) << again.output;
  RedisServer server(RedisServerOptions{cdir + "/redis"});
  RedisClient redis(server.options());
  RedisReply evals = redis.command({"HKEYS", "bigpe:exp:" + ucb_id + ":evals"});
  ASSERT_EQ(evals.elements.size(), 1u);
  EXPECT_FALSE(redis.command({"GET", "bigpe:exp:" + ucb_id + ":eval:" + evals.elements[0].str}).is_nil());
  EXPECT_FALSE(redis.command({"GET", "bigpe:eval:" + evals.elements[0].str}).is_nil());
}

TEST(EvalCommand, EvaluatesAnInstructionGivenAsTextAgainstATaskConfig) {
  testing::TempDir dir("bigpe-eval-text");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  const std::string out = dir.file("eval");
  Invocation e = run_bigpe({"eval", "--instruction", "Add vivid detail and dramatic lighting.", "--config",
                            "experiments/quickstart.yaml", "--redis", server.url(), "--seeds", "1", "--out", out,
                            "sim.cost_ms=0", "write_images=false"},
                           dir.file("eval.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  std::vector<std::vector<std::string>> methods = csv(out + "/methods.csv");
  ASSERT_EQ(methods.size(), 5u) << e.output;
  EXPECT_EQ(methods[4][0], "optimized");
  EXPECT_EQ(methods[4][1], "Add vivid detail and dramatic lighting.");
  EXPECT_EQ(csv(out + "/pairs.csv").size(), 1u + 6u);
}

TEST(EvalCommand, NothingToEvaluateIsABadInput) {
  testing::TempDir dir("bigpe-eval-bad");
  Invocation e = run_bigpe({"eval"}, dir.file("log"));
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_NE(e.output.find("nothing to evaluate"), std::string::npos) << e.output;
}

}  // namespace
}  // namespace bigpe
