// `bigpe export` round trip: a tiny experiment is run and exported, every
// JSONL line parses, and the counts and fields match the documented layout
// (docs/campaigns.md), with the evaluation images copied beside them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_lines;
using testing::run_bigpe;

std::vector<nlohmann::ordered_json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::ordered_json> rows;
  for (const std::string& line : read_lines(path)) rows.push_back(json::parse_strict(line));  // throws on a bad line
  return rows;
}

void expect_keys(const nlohmann::ordered_json& row, const std::vector<std::string>& keys, const std::string& file) {
  for (const std::string& k : keys) EXPECT_TRUE(row.contains(k)) << file << ": missing " << k;
}

// A quickstart of `iterations` x batch 2 with images, in `run`.
Invocation tiny_run(const testing::TempDir& dir, const std::string& run, int iterations, int seeds) {
  return run_bigpe({"run", "experiments/quickstart.yaml", "out=" + run, "iterations=" + std::to_string(iterations),
                    "batch_size=2", "sim.cost_ms=0", "eval.seeds=" + std::to_string(seeds), "write_images=true"},
                   dir.file("run.log"));
}

TEST(Export, TinyExperimentRoundTripsThroughJsonlWithImages) {
  testing::TempDir dir("bigpe-export");
  const std::string run = dir.file("run"), out = dir.file("export");
  Invocation r = tiny_run(dir, run, 2, 2);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Invocation e = run_bigpe({"export", run, "--out", out}, dir.file("export.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;

  std::vector<nlohmann::ordered_json> exps = read_jsonl(out + "/experiments.jsonl");
  ASSERT_EQ(exps.size(), 1u);
  expect_keys(exps[0], {"experiment_id", "campaign_id", "variant", "repeat", "config", "config_hash", "status",
                        "final_instruction", "iterations"}, "experiments.jsonl");
  const std::string id = exps[0].at("experiment_id").get<std::string>();
  EXPECT_EQ(exps[0].at("status").get<std::string>(), "finished");
  EXPECT_EQ(json::require_int(exps[0], "iterations"), 2);
  EXPECT_EQ(exps[0].at("campaign_id").get<std::string>(), "");
  EXPECT_EQ(exps[0].at("variant").get<std::string>(), "quickstart");
  EXPECT_EQ(exps[0].at("config").at("batch_size").get<std::string>(), "2");
  EXPECT_EQ(exps[0].at("config_hash").get<std::string>().size(), 64u);
  EXPECT_FALSE(exps[0].at("final_instruction").get<std::string>().empty());
  // Without score.judges: the optimized score is the backend's own and there
  // is no judge anywhere.
  EXPECT_EQ(exps[0].at("optimized_scorer").get<std::string>(), "sim");
  EXPECT_TRUE(exps[0].at("judges").empty());
  EXPECT_FALSE(exps[0].at("eval_intervals").contains("judges"));

  std::vector<nlohmann::ordered_json> its = read_jsonl(out + "/iterations.jsonl");
  ASSERT_EQ(its.size(), 2u);
  for (std::size_t n = 0; n < its.size(); ++n) {
    const nlohmann::ordered_json& it = its[n];
    expect_keys(it, {"experiment_id", "iteration", "best", "mean", "queries", "arms", "professional", "selected",
                     "i_low", "pairs", "gradient_text", "improvements", "children"}, "iterations.jsonl");
    EXPECT_EQ(json::require_int(it, "iteration"), static_cast<int64_t>(n + 1));
    EXPECT_EQ(it.at("queries").size(), 2u);
    ASSERT_GE(it.at("arms").size(), 1u);
    double best = -1e9;
    for (const nlohmann::ordered_json& arm : it.at("arms")) {
      expect_keys(arm, {"id", "text", "prompts", "scores", "batch_score"}, "arms");
      EXPECT_EQ(arm.at("prompts").size(), 2u);
      EXPECT_EQ(arm.at("scores").size(), 2u);
      best = std::max(best, arm.at("batch_score").get<double>());
    }
    EXPECT_DOUBLE_EQ(it.at("best").get<double>(), best);
    EXPECT_EQ(it.at("professional").size(), 2u * 5u);  // 5 professional prompts per query
  }
  // The render count behind each iteration (the budget's axis): growing,
  // and the same numbers as report.json's curve.
  const nlohmann::ordered_json report = json::parse_strict(testing::read_text_file(run + "/report.json"));
  ASSERT_EQ(report.at("curve").size(), its.size());
  for (std::size_t n = 0; n < its.size(); ++n) {
    EXPECT_GT(json::require_int(its[n], "renders"), n ? json::require_int(its[n - 1], "renders") : 0);
    EXPECT_EQ(json::require_int(its[n], "renders"), json::require_int(report.at("curve")[n], "renders"));
  }

  std::vector<nlohmann::ordered_json> instr = read_jsonl(out + "/instructions.jsonl");
  ASSERT_GE(instr.size(), 2u);
  std::set<std::string> ids;
  for (const nlohmann::ordered_json& i : instr) {
    expect_keys(i, {"experiment_id", "id", "text", "parent", "born", "improvement"}, "instructions.jsonl");
    ids.insert(i.at("id").get<std::string>());
  }
  // Each node carries its scores: every per-query score its text got, and
  // its best batch score, as iterations.jsonl has them.
  for (const nlohmann::ordered_json& i : instr) {
    std::vector<double> scores;
    double best = -1e9;
    for (const nlohmann::ordered_json& it : its)
      for (const nlohmann::ordered_json& arm : it.at("arms")) {
        if (arm.at("text") == i.at("text"))
          for (const auto& v : arm.at("scores")) scores.push_back(v.get<double>());
        if (arm.at("id") == i.at("id")) best = std::max(best, arm.at("batch_score").get<double>());
      }
    EXPECT_EQ(json::require_int(i, "score_n"), static_cast<int64_t>(scores.size())) << i.at("id");
    if (scores.empty()) {
      EXPECT_TRUE(i.at("score_mean").is_null()) << i.at("id");
      EXPECT_TRUE(i.at("score_best").is_null()) << i.at("id");
      continue;
    }
    double sum = 0;
    for (double v : scores) sum += v;
    EXPECT_NEAR(i.at("score_mean").get<double>(), sum / static_cast<double>(scores.size()), 1e-9) << i.at("id");
    EXPECT_DOUBLE_EQ(i.at("score_best").get<double>(), best) << i.at("id");
  }
  for (const nlohmann::ordered_json& i : instr) {
    if (i.at("id").get<std::string>() == "i0") {
      EXPECT_EQ(json::require_int(i, "born"), 0);
      EXPECT_EQ(i.at("parent").get<std::string>(), "");
    } else {
      EXPECT_GE(json::require_int(i, "born"), 1);
      EXPECT_TRUE(ids.count(i.at("parent").get<std::string>())) << "lineage: parent of " << i.at("id");
    }
  }

  std::vector<nlohmann::ordered_json> cells = read_jsonl(out + "/evaluation.jsonl");
  ASSERT_EQ(cells.size(), 4u * 20u * 2u);  // methods x held-out queries x seeds
  std::map<std::string, int> per_method;
  for (const nlohmann::ordered_json& c : cells) {
    expect_keys(c, {"experiment_id", "method", "instruction", "query", "seed", "score", "prompt", "image"},
                "evaluation.jsonl");
    ++per_method[c.at("method").get<std::string>()];
    EXPECT_TRUE(json::require_int(c, "seed") == 1000000 || json::require_int(c, "seed") == 1000001);
    EXPECT_FALSE(c.at("prompt").get<std::string>().empty());
    const std::string image = c.at("image").get<std::string>();
    ASSERT_EQ(image.rfind("images/" + id + "/", 0), 0u) << image;
    EXPECT_TRUE(std::filesystem::exists(out + "/" + image)) << image;
    if (c.at("method") == "plain") EXPECT_EQ(c.at("prompt"), c.at("query"));
    EXPECT_FALSE(c.contains("judges"));
  }
  EXPECT_EQ(per_method, (std::map<std::string, int>{{"baseline", 40}, {"optimized", 40}, {"plain", 40},
                                                    {"professional", 40}}));
}

// With a held-out judge (issue 14): each cell carries the judge's score of
// its image, and the experiment the judge's intervals, the same numbers the
// run's report.json printed for it.
TEST(Export, JudgesScoresAndIntervalsAreExportedBesideTheOptimizedOnes) {
  testing::TempDir dir("bigpe-export-judges");
  const std::string run = dir.file("run"), out = dir.file("export");
  Invocation r = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + run, "iterations=1", "batch_size=2",
                            "sim.cost_ms=0", "eval.seeds=2", "score.scorers=sim,sim-judge",
                            "score.judges=sim-judge"},
                           dir.file("run.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Invocation e = run_bigpe({"export", run, "--out", out, "--no-images"}, dir.file("export.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;

  std::vector<nlohmann::ordered_json> exps = read_jsonl(out + "/experiments.jsonl");
  ASSERT_EQ(exps.size(), 1u);
  EXPECT_EQ(exps[0].at("optimized_scorer").get<std::string>(), "sim");
  EXPECT_EQ(exps[0].at("judges"), nlohmann::ordered_json::array({"sim-judge"}));
  const nlohmann::ordered_json& judged = exps[0].at("eval_intervals").at("judges").at("sim-judge");

  std::map<std::string, std::vector<double>> scores, judge_scores;
  std::size_t differ = 0;
  for (const nlohmann::ordered_json& c : read_jsonl(out + "/evaluation.jsonl")) {
    ASSERT_TRUE(c.contains("judges")) << json::dump_strict(c);
    const double j = c.at("judges").at("sim-judge").get<double>();
    judge_scores[c.at("method").get<std::string>()].push_back(j);
    scores[c.at("method").get<std::string>()].push_back(c.at("score").get<double>());
    if (j != c.at("score").get<double>()) ++differ;
  }
  ASSERT_EQ(judge_scores.size(), 4u);
  EXPECT_GT(differ, 0u) << "the judge's scores are the optimized ones";
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  for (const auto& [method, v] : judge_scores) {
    EXPECT_NEAR(judged.at("methods").at(method).at("mean").get<double>(), mean(v), 1e-9) << method;
    EXPECT_NEAR(exps[0].at("eval_intervals").at("methods").at(method).at("mean").get<double>(), mean(scores[method]),
                1e-9)
        << method;
  }
  // The judge's paired gain: the interval report.json has for it.
  const nlohmann::ordered_json report = json::parse_strict(testing::read_text_file(run + "/report.json"));
  const nlohmann::ordered_json& printed = report.at("eval").at("judges").at("sim-judge").at("gain_over_baseline");
  const nlohmann::ordered_json& gain = judged.at("gains").at("optimized");
  EXPECT_DOUBLE_EQ(gain.at("mean").get<double>(), printed.at("mean").get<double>());
  EXPECT_DOUBLE_EQ(gain.at("low").get<double>(), printed.at("ci_low").get<double>());
  EXPECT_DOUBLE_EQ(gain.at("high").get<double>(), printed.at("ci_high").get<double>());
}

TEST(Export, RefusesANonEmptyOutUnlessForcedAndThenReplacesTheExport) {
  testing::TempDir dir("bigpe-export-again");
  const std::string run = dir.file("run"), out = dir.file("export");
  Invocation r = tiny_run(dir, run, 1, 1);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(run_bigpe({"export", run, "--out", out}, dir.file("export1.log")).exit_code, 0);
  const std::string first = testing::read_text_file(out + "/evaluation.jsonl");
  // A file of the user's beside it, and a stale image of this experiment.
  std::ofstream(out + "/notes.txt") << "mine\n";
  const std::string id = json::parse_strict(read_lines(out + "/experiments.jsonl").at(0)).at("experiment_id");
  std::ofstream(out + "/images/" + id + "/stale.png") << "old";
  std::ofstream(out + "/evaluation.jsonl", std::ios::app) << "{}\n";

  Invocation again = run_bigpe({"export", run, "--out", out}, dir.file("export2.log"));
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find(out + ": the folder is not empty"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_EQ(testing::read_text_file(out + "/evaluation.jsonl"), first + "{}\n") << "a refused export wrote";

  Invocation forced = run_bigpe({"export", run, "--out", out, "--force"}, dir.file("export3.log"));
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_EQ(testing::read_text_file(out + "/evaluation.jsonl"), first);
  EXPECT_FALSE(std::filesystem::exists(out + "/images/" + id + "/stale.png"));
  EXPECT_EQ(testing::read_text_file(out + "/notes.txt"), "mine\n");
  for (const std::string& line : read_lines(out + "/evaluation.jsonl")) {
    const std::string image = json::parse_strict(line).at("image").get<std::string>();
    EXPECT_TRUE(std::filesystem::exists(out + "/" + image)) << image;
  }
}

TEST(Export, RefusesAnIdWithoutRedisAndAMissingOut) {
  testing::TempDir dir("bigpe-export-bad");
  Invocation r = run_bigpe({"export", "no-such-experiment", "--out", dir.file("x")}, dir.file("log"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--redis"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace bigpe
