// `bigpe export` round trip: a tiny experiment is run and exported, every
// JSONL line parses, and the counts and fields match the documented layout
// (docs/campaigns.md), with the evaluation images copied beside them.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/json.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_lines;
using testing::run_bigpe;

std::vector<json::Value> read_jsonl(const std::string& path) {
  std::vector<json::Value> rows;
  for (const std::string& line : read_lines(path)) rows.push_back(json::parse(line));  // throws on a bad line
  return rows;
}

void expect_keys(const json::Value& row, const std::vector<std::string>& keys, const std::string& file) {
  for (const std::string& k : keys) EXPECT_NE(row.find(k), nullptr) << file << ": missing " << k;
}

TEST(Export, TinyExperimentRoundTripsThroughJsonlWithImages) {
  testing::TempDir dir("bigpe-export");
  const std::string run = dir.file("run"), out = dir.file("export");
  Invocation r = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + run, "iterations=2", "batch_size=2",
                            "sim.cost_ms=0", "eval.seeds=2", "write_images=true"},
                           dir.file("run.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Invocation e = run_bigpe({"export", run, "--out", out}, dir.file("export.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;

  std::vector<json::Value> exps = read_jsonl(out + "/experiments.jsonl");
  ASSERT_EQ(exps.size(), 1u);
  expect_keys(exps[0], {"experiment_id", "campaign_id", "variant", "repeat", "config", "config_hash", "status",
                        "final_instruction", "iterations"}, "experiments.jsonl");
  const std::string id = exps[0].at("experiment_id").as_string();
  EXPECT_EQ(exps[0].at("status").as_string(), "finished");
  EXPECT_EQ(exps[0].at("iterations").as_int(), 2);
  EXPECT_EQ(exps[0].at("campaign_id").as_string(), "");
  EXPECT_EQ(exps[0].at("variant").as_string(), "quickstart");
  EXPECT_EQ(exps[0].at("config").at("batch_size").as_string(), "2");
  EXPECT_EQ(exps[0].at("config_hash").as_string().size(), 64u);
  EXPECT_FALSE(exps[0].at("final_instruction").as_string().empty());

  std::vector<json::Value> its = read_jsonl(out + "/iterations.jsonl");
  ASSERT_EQ(its.size(), 2u);
  for (std::size_t n = 0; n < its.size(); ++n) {
    const json::Value& it = its[n];
    expect_keys(it, {"experiment_id", "iteration", "best", "mean", "queries", "arms", "professional", "selected",
                     "i_low", "pairs", "gradient_text", "improvements", "children"}, "iterations.jsonl");
    EXPECT_EQ(it.at("iteration").as_int(), static_cast<int64_t>(n + 1));
    EXPECT_EQ(it.at("queries").size(), 2u);
    ASSERT_GE(it.at("arms").size(), 1u);
    double best = -1e9;
    for (const json::Value& arm : it.at("arms").as_array()) {
      expect_keys(arm, {"id", "text", "prompts", "scores", "batch_score"}, "arms");
      EXPECT_EQ(arm.at("prompts").size(), 2u);
      EXPECT_EQ(arm.at("scores").size(), 2u);
      best = std::max(best, arm.at("batch_score").as_number());
    }
    EXPECT_DOUBLE_EQ(it.at("best").as_number(), best);
    EXPECT_EQ(it.at("professional").size(), 2u * 5u);  // 5 professional prompts per query
  }

  std::vector<json::Value> instr = read_jsonl(out + "/instructions.jsonl");
  ASSERT_GE(instr.size(), 2u);
  std::set<std::string> ids;
  for (const json::Value& i : instr) {
    expect_keys(i, {"experiment_id", "id", "text", "parent", "born", "improvement"}, "instructions.jsonl");
    ids.insert(i.at("id").as_string());
  }
  for (const json::Value& i : instr) {
    if (i.at("id").as_string() == "i0") {
      EXPECT_EQ(i.at("born").as_int(), 0);
      EXPECT_EQ(i.at("parent").as_string(), "");
    } else {
      EXPECT_GE(i.at("born").as_int(), 1);
      EXPECT_TRUE(ids.count(i.at("parent").as_string())) << "lineage: parent of " << i.at("id").as_string();
    }
  }

  std::vector<json::Value> cells = read_jsonl(out + "/evaluation.jsonl");
  ASSERT_EQ(cells.size(), 4u * 20u * 2u);  // methods x held-out queries x seeds
  std::map<std::string, int> per_method;
  for (const json::Value& c : cells) {
    expect_keys(c, {"experiment_id", "method", "instruction", "query", "seed", "score", "prompt", "image"},
                "evaluation.jsonl");
    ++per_method[c.at("method").as_string()];
    EXPECT_TRUE(c.at("seed").as_int() == 1000000 || c.at("seed").as_int() == 1000001);
    EXPECT_FALSE(c.at("prompt").as_string().empty());
    const std::string image = c.at("image").as_string();
    ASSERT_EQ(image.rfind("images/" + id + "/", 0), 0u) << image;
    EXPECT_TRUE(std::filesystem::exists(out + "/" + image)) << image;
    if (c.at("method").as_string() == "plain") EXPECT_EQ(c.at("prompt").as_string(), c.at("query").as_string());
  }
  EXPECT_EQ(per_method, (std::map<std::string, int>{{"baseline", 40}, {"optimized", 40}, {"plain", 40},
                                                    {"professional", 40}}));
}

TEST(Export, RefusesAnIdWithoutRedisAndAMissingOut) {
  testing::TempDir dir("bigpe-export-bad");
  Invocation r = run_bigpe({"export", "no-such-experiment", "--out", dir.file("x")}, dir.file("log"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--redis"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace bigpe
