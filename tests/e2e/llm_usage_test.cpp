// LLM token and cost accounting through the real executable against an
// OpenAI-compatible server on loopback (tests/support/http_test_server.h)
// whose every answer reports usage {prompt_tokens: 3, completion_tokens: 4}:
// a run counts exactly the tokens the server reported, per agent and in
// all, prices them, and a killed run's resume continues the counts, with
// the replayed calls answered by the cache counted as cached and free; a
// campaign shows tokens and cost per experiment and in all; the offline
// heuristic agents report none.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/csv_reader.h"
#include "tests/support/http_test_server.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::HttpTestServer;
using testing::Invocation;
using testing::read_text_file;
using testing::run_bigpe;

// An answer every agent can use (see misbehaving_llm_test.cpp).
const char* kUseful =
    "Improvement 1: name a medium\\nNew Instruction: Refine the prompt and name a medium.\\n"
    "Refined Prompt: a photo of the subject";

// Prices per 1M tokens: 3 prompt + 4 completion tokens cost 0.011 per call.
const double kPromptPrice = 1000, kCompletionPrice = 2000;

std::vector<std::string> openai_settings(const HttpTestServer& server) {
  return {"llm.backend=openai", "llm.base_url=" + server.base_url(), "llm.model=test-model",
          "llm.max_concurrent=2", "llm.price.prompt_per_1m=1000", "llm.price.completion_per_1m=2000"};
}

std::vector<std::string> run_against(const HttpTestServer& server, const std::string& out) {
  std::vector<std::string> args = {"run", "experiments/quickstart.yaml", "out=" + out, "iterations=3",
                                   "batch_size=2", "sim.cost_ms=0", "eval.seeds=2", "write_images=false"};
  for (const std::string& s : openai_settings(server)) args.push_back(s);
  return args;
}

nlohmann::ordered_json llm_of(const std::string& run) {
  return json::parse_strict(read_text_file(run + "/report.json")).at("llm");
}

int64_t count(const nlohmann::ordered_json& llm, const char* key) { return json::require_int(llm, key); }

TEST(LlmUsage, RunCountsTheReportedTokensPerAgentPricesThemAndResumeContinuesTheCounts) {
  testing::TempDir dir("bigpe-llm-usage");
  HttpTestServer reference_server;
  reference_server.set_default({200, {}, testing::chat_completion_body(kUseful), false});
  const std::string ref = dir.file("ref");
  Invocation r = run_bigpe(run_against(reference_server, ref), dir.file("ref.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Every request the server answered is counted once, with its usage.
  const nlohmann::ordered_json llm = llm_of(ref);
  const int64_t requests = reference_server.request_count();
  ASSERT_GT(requests, 0);
  EXPECT_EQ(count(llm, "calls") - count(llm, "cached"), requests) << llm.dump();
  EXPECT_EQ(count(llm, "prompt_tokens"), 3 * requests) << llm.dump();
  EXPECT_EQ(count(llm, "completion_tokens"), 4 * requests) << llm.dump();
  EXPECT_NEAR(llm.at("cost").get<double>(), requests * (3 * kPromptPrice + 4 * kCompletionPrice) / 1e6, 1e-9);
  // Per agent, adding up to the run's total.
  const nlohmann::ordered_json agents = json::parse_strict(read_text_file(ref + "/report.json")).at("llm_agents");
  int64_t prompt_sum = 0, calls_sum = 0;
  for (const char* agent : {"generator", "gradient", "modifier"}) {
    ASSERT_TRUE(agents.contains(agent)) << agents.dump();
    EXPECT_GT(count(agents.at(agent), "calls"), 0) << agent;
    prompt_sum += count(agents.at(agent), "prompt_tokens");
    calls_sum += count(agents.at(agent), "calls");
  }
  EXPECT_EQ(prompt_sum, count(llm, "prompt_tokens"));
  EXPECT_EQ(calls_sum, count(llm, "calls"));
  const std::string md = read_text_file(ref + "/report.md");
  EXPECT_NE(md.find("## LLM calls"), std::string::npos) << md;
  EXPECT_NE(md.find("| total | " + std::to_string(count(llm, "calls")) + " | "), std::string::npos) << md;

  // Killed in iteration 2 and resumed: the counts go on from the committed
  // state; the replayed iteration's answers come from the cache, free.
  HttpTestServer server;
  server.set_default({200, {}, testing::chat_completion_body(kUseful), false});
  const std::string cut = dir.file("cut");
  Invocation killed = run_bigpe(run_against(server, cut), dir.file("cut0.log"), {{"BIGPE_FAULT_KILL_AT", "iter:2:rendered"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.output;
  Invocation resumed = run_bigpe({"resume", cut}, dir.file("cut1.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const nlohmann::ordered_json after = llm_of(cut);
  EXPECT_EQ(count(after, "calls"), count(llm, "calls")) << "the resumed run counts every call once, as the "
                                                           "uninterrupted one:\n" << after.dump() << "\n" << llm.dump();
  EXPECT_GT(count(after, "cached"), count(llm, "cached")) << after.dump();
  EXPECT_EQ(count(after, "prompt_tokens"), 3 * (count(after, "calls") - count(after, "cached"))) << after.dump();
  EXPECT_LT(count(after, "prompt_tokens"), count(llm, "prompt_tokens")) << after.dump();

  // The offline heuristic agents report no tokens, and cost nothing.
  Invocation h = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + dir.file("heuristic"), "iterations=2",
                            "batch_size=2", "sim.cost_ms=0", "eval.enabled=false", "write_images=false",
                            "llm.price.prompt_per_1m=1000"},
                           dir.file("heuristic.log"));
  ASSERT_EQ(h.exit_code, 0) << h.output;
  const nlohmann::ordered_json offline = llm_of(dir.file("heuristic"));
  EXPECT_GT(count(offline, "calls"), 0);
  EXPECT_EQ(count(offline, "prompt_tokens"), 0);
  EXPECT_EQ(count(offline, "completion_tokens"), 0);
  EXPECT_EQ(offline.at("cost").get<double>(), 0.0);
}

TEST(LlmUsage, CampaignShowsTokensAndCostPerExperimentAndInAll) {
  testing::TempDir dir("bigpe-llm-usage-campaign");
  HttpTestServer server;
  server.set_default({200, {}, testing::chat_completion_body(kUseful), false});
  const std::string file = testing::write_small_campaign(dir.path(), "repeats: 1\n");
  std::vector<std::string> args = {"campaign", file, "--out", dir.file("c")};
  for (const std::string& s : openai_settings(server)) args.push_back(s);
  Invocation c = run_bigpe(args, dir.file("campaign.log"));
  ASSERT_EQ(c.exit_code, 0) << c.output;

  int64_t calls = 0, cached = 0, prompt = 0, completion = 0;
  double cost = 0;
  const auto rows = testing::read_csv_rows(dir.file("c") + "/summary.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (auto row : rows) {
    EXPECT_GT(std::stoll(row["prompt_tokens"]), 0) << row["experiment_id"];
    EXPECT_NEAR(std::stod(row["cost"]),
                (std::stod(row["prompt_tokens"]) * kPromptPrice + std::stod(row["completion_tokens"]) * kCompletionPrice) / 1e6,
                1e-6);
    calls += std::stoll(row["llm_calls"]);
    cached += std::stoll(row["llm_cached"]);
    prompt += std::stoll(row["prompt_tokens"]);
    completion += std::stoll(row["completion_tokens"]);
    cost += std::stod(row["cost"]);
  }
  // The experiments share the server and the LLM cache: each request paid
  // once over the campaign.
  EXPECT_EQ(prompt, 3 * server.request_count());
  EXPECT_EQ(completion, 4 * server.request_count());
  char total[200];
  std::snprintf(total, sizeof total, "LLM over all experiments: %lld calls (%lld cached), %lld prompt + %lld completion tokens, cost %.4f",
                static_cast<long long>(calls), static_cast<long long>(cached), static_cast<long long>(prompt),
                static_cast<long long>(completion), cost);
  EXPECT_NE(read_text_file(dir.file("c") + "/summary.md").find(total), std::string::npos)
      << total << "\n" << read_text_file(dir.file("c") + "/summary.md");
  EXPECT_NE(c.output.find(total), std::string::npos) << total << "\n" << c.output;
}

}  // namespace
}  // namespace bigpe
