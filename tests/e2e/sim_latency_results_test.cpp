// Simulated LLM latency changes a run's timing, never its results: the same
// small experiment through the real `bigpe` executable, once with the
// heuristic LLM answering at once and once with every uncached call waiting
// 20 ms on a simulated server of 2 slots, ends with the same final
// instruction, the same iteration records and the same evaluation, and so
// does a third with the latency but without llm.overlap. Each run
// has its own redis-server, so the second cannot replay the first's LLM
// answers from the cache.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

constexpr int kIterations = 3;

struct RunResult {
  nlohmann::ordered_json report;
  std::vector<std::string> iteration_records;  // encoded, as committed
  std::string evaluation;                      // encoded, as committed
};

RunResult run(testing::TempDir& dir, const std::string& name, const std::vector<std::string>& extra) {
  RedisServer server(RedisServerOptions{dir.file("redis-" + name)});
  std::vector<std::string> args = {"run", "experiments/quickstart.yaml", "out=" + dir.file(name),
                                   "redis=" + server.url(), "iterations=" + std::to_string(kIterations),
                                   "batch_size=2", "sim.cost_ms=0", "eval.seeds=2", "write_images=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  testing::Invocation r = testing::run_bigpe(args, dir.file(name + ".log"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  RunResult out;
  out.report = json::parse_strict(testing::read_text_file(dir.file(name) + "/report.json"));
  RedisClient c(server.options());
  const std::string id = out.report.at("experiment_id").get<std::string>();
  for (int it = 0; it < kIterations; ++it) {
    RedisReply rec = c.command({"GET", "bigpe:exp:" + id + ":iter:" + std::to_string(it)});
    EXPECT_EQ(rec.type, RedisReply::Type::kString) << name << " iteration " << it;
    out.iteration_records.push_back(rec.str);
  }
  RedisReply eval = c.command({"GET", "bigpe:exp:" + id + ":eval"});
  EXPECT_EQ(eval.type, RedisReply::Type::kString) << name;
  out.evaluation = eval.str;
  return out;
}

TEST(SimulatedLatencyResults, LatencyOnAndOffGiveTheSameInstructionIterationsAndEvaluation) {
  testing::TempDir dir("bigpe-sim-latency");
  RunResult off = run(dir, "off", {});
  RunResult on = run(dir, "on", {"llm.sim_latency_ms=20", "llm.sim_max_concurrency=2", "timing.timeline=true"});
  // The engine's overlap (on by default) moves calls, not answers: with the
  // roles one after another the results are the same again.
  RunResult sequential =
      run(dir, "sequential", {"llm.sim_latency_ms=20", "llm.sim_max_concurrency=2", "llm.overlap=false"});
  EXPECT_EQ(sequential.report.at("final_instruction"), off.report.at("final_instruction"));
  EXPECT_EQ(sequential.report.at("eval"), off.report.at("eval"));
  EXPECT_EQ(sequential.iteration_records, off.iteration_records);
  EXPECT_EQ(sequential.evaluation, off.evaluation);

  EXPECT_FALSE(off.report.at("final_instruction").get<std::string>().empty());
  EXPECT_EQ(on.report.at("final_instruction"), off.report.at("final_instruction"));
  EXPECT_EQ(on.report.at("curve"), off.report.at("curve"));
  EXPECT_EQ(on.report.at("eval"), off.report.at("eval"));
  ASSERT_EQ(on.iteration_records.size(), off.iteration_records.size());
  for (std::size_t it = 0; it < off.iteration_records.size(); ++it) {
    EXPECT_FALSE(off.iteration_records[it].empty()) << it;
    EXPECT_EQ(on.iteration_records[it], off.iteration_records[it]) << "iteration " << it;
  }
  EXPECT_FALSE(off.evaluation.empty());
  EXPECT_EQ(on.evaluation, off.evaluation);

  // The latency really was on: every iteration's calls each drew 20 ms on
  // a 2-slot server, and the run without it drew none.
  const nlohmann::ordered_json& timed = on.report.at("timing");
  EXPECT_EQ(json::require_int(timed, "llm_server_concurrency"), 2);
  ASSERT_EQ(timed.at("iterations").size(), static_cast<std::size_t>(kIterations));
  for (const nlohmann::ordered_json& it : timed.at("iterations")) {
    ASSERT_FALSE(it.at("llm").empty());
    for (const nlohmann::ordered_json& stage : it.at("llm")) {
      const int64_t calls = json::require_int(stage, "calls");
      EXPECT_GT(calls, 0);
      EXPECT_DOUBLE_EQ(stage.at("latency_sum_ms").get<double>(), 20.0 * static_cast<double>(calls));
      EXPECT_DOUBLE_EQ(stage.at("latency_max_ms").get<double>(), 20.0);
    }
  }
  // The timeline holds every call that reached the LLM, every render and
  // every iteration, each ending after it started.
  int64_t calls = 0;
  for (const nlohmann::ordered_json& it : timed.at("iterations"))
    for (const nlohmann::ordered_json& stage : it.at("llm")) calls += json::require_int(stage, "calls");
  // The report's per-iteration calls are the loop's; the evaluation's come after its end.
  const double loop_end = timed.at("loop_end_unix_s").get<double>();
  std::map<std::string, int64_t> lanes;
  std::istringstream lines(testing::read_text_file(dir.file("on") + "/timeline.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    nlohmann::ordered_json e = json::parse_strict(line);
    const std::string lane = e.at("lane").get<std::string>();
    if (lane == "llm" && e.at("end").get<double>() > loop_end) continue;
    ++lanes[lane.rfind("worker:", 0) == 0 ? "worker" : lane];
    EXPECT_LE(e.at("start").get<double>(), e.at("end").get<double>()) << line;
  }
  EXPECT_GT(calls, 0);
  EXPECT_EQ(lanes["llm"], calls);
  EXPECT_EQ(lanes["loop"], kIterations);
  EXPECT_EQ(lanes["worker"], json::require_int(on.report.at("renders"), "done"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("off") + "/timeline.jsonl"));

  EXPECT_EQ(json::require_int(off.report.at("timing"), "llm_server_concurrency"), 0);
  for (const nlohmann::ordered_json& it : off.report.at("timing").at("iterations")) EXPECT_TRUE(it.at("llm").empty());
}

TEST(SimulatedLatencyResults, LatencyWithTheOpenAiBackendOrAnSdWithoutAMeanIsRefused) {
  testing::TempDir dir("bigpe-sim-latency-bad");
  testing::Invocation openai = testing::run_bigpe(
      {"run", "experiments/quickstart.yaml", "out=" + dir.file("a"), "llm.backend=openai", "llm.sim_latency_ms=20"},
      dir.file("a.log"));
  EXPECT_EQ(openai.exit_code, 1) << openai.output;
  EXPECT_NE(openai.output.find("llm.sim_latency_ms"), std::string::npos) << openai.output;
  EXPECT_NE(openai.output.find("heuristic"), std::string::npos) << openai.output;
  testing::Invocation sd = testing::run_bigpe(
      {"run", "experiments/quickstart.yaml", "out=" + dir.file("b"), "llm.sim_latency_sd_ms=5"}, dir.file("b.log"));
  EXPECT_EQ(sd.exit_code, 1) << sd.output;
  EXPECT_NE(sd.output.find("llm.sim_latency_sd_ms"), std::string::npos) << sd.output;
}

}  // namespace
}  // namespace bigpe
