// The engine end to end through the real `bigpe` executable: a quick run
// produces its reports, a run killed (SIGKILL) at several points and resumed
// ends exactly where an uninterrupted run ends with no render repeated, and
// a resume that changes the experiment's meaning is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/child_process.h"
#include "common/free_port.h"
#include "common/json_access.h"
#include "common/json_strict.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Invocation {
  int exit_code;
  std::string output;
};

// Runs `bigpe ARGS...` to completion (bounded), capturing stdout+stderr.
Invocation bigpe(const std::vector<std::string>& args, const std::string& log,
          const std::map<std::string, std::string>& env = {}) {
  ChildProcessOptions o;
  o.argv = {BIGPE_EXE, "--log-level", "warn"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = env;
  o.stdout_path = log;
  o.stderr_path = log;
  o.working_dir = BIGPE_SOURCE_DIR;
  ChildProcess p(o);
  std::optional<int> code = p.wait(std::chrono::seconds(240));
  if (!code) {
    p.kill();
    return {-1, read_file(log) + "\n(timed out)"};
  }
  return {*code, read_file(log)};
}

std::vector<std::string> small_run(const std::string& out, const std::string& redis_url) {
  return {"run", "experiments/quickstart.yaml", "out=" + out, "redis=" + redis_url, "iterations=4",
          "batch_size=2", "sim.cost_ms=0", "eval.seeds=2", "queries.heldout=20", "write_images=false"};
}

long worker_renders(RedisServer& server) {
  RedisClient c(server.options());
  RedisReply r = c.command({"HVALS", "bigpe:stats:renders"});
  long total = 0;
  for (const RedisReply& e : r.elements) total += std::stol(e.str);
  return total;
}

// The parts of a report that define the result (render counters are not:
// a resumed run finds in the cache what it rendered before the kill).
std::string result_of(const std::string& run_dir) {
  nlohmann::ordered_json report = json::parse_strict(read_file(run_dir + "/report.json"));
  nlohmann::ordered_json r = nlohmann::ordered_json::object();
  r["final_instruction"] = report.at("final_instruction");
  r["iterations"] = report.at("iterations");
  r["curve"] = report.at("curve");
  r["eval"] = report.at("eval");
  return json::dump_strict(r);
}

TEST(EngineEndToEnd, QuickRunWritesReportsWithEveryContractField) {
  testing::TempDir dir("bigpe-e2e");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  Invocation r = bigpe(small_run(dir.file("run"), server.url()), dir.file("log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("iter 1/4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("iter 4/4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("final instruction"), std::string::npos) << r.output;

  nlohmann::ordered_json report = json::parse_strict(read_file(dir.file("run") + "/report.json"));
  EXPECT_FALSE(report.at("experiment_id").get<std::string>().empty());
  EXPECT_EQ(report.at("config_hash").get<std::string>().size(), 64u);
  EXPECT_EQ(json::require_int(report, "iterations"), 4);
  EXPECT_GT(json::require_int(report.at("renders"), "done"), 0);
  // A fresh Redis holds nothing, so nothing can come from the cache.
  EXPECT_EQ(json::require_int(report.at("renders"), "cached"), 0);
  EXPECT_FALSE(report.at("final_instruction").get<std::string>().empty());
  for (const char* method : {"plain", "baseline", "professional", "optimized"}) {
    const nlohmann::ordered_json& m = report.at("eval").at(method);
    EXPECT_EQ(json::require_int(m, "n"), 40) << method;  // 20 held-out queries x 2 seeds
    EXPECT_LE(m.at("ci_low").get<double>(), m.at("mean").get<double>()) << method;
    EXPECT_GE(m.at("ci_high").get<double>(), m.at("mean").get<double>()) << method;
    EXPECT_GT(m.at("mean").get<double>(), 15.0) << method;
  }
  EXPECT_NE(read_file(dir.file("run") + "/report.md").find("Held-out evaluation"), std::string::npos);
}

TEST(EngineEndToEnd, KilledAtSeveralPointsAndResumedEqualsUninterruptedWithNoRepeatedRender) {
  testing::TempDir dir("bigpe-resume");
  RedisServer reference_redis(RedisServerOptions{dir.file("redis-ref")});
  Invocation ref = bigpe(small_run(dir.file("ref"), reference_redis.url()), dir.file("ref.log"));
  ASSERT_EQ(ref.exit_code, 0) << ref.output;
  const long reference_renders = worker_renders(reference_redis);
  ASSERT_GT(reference_renders, 0);

  RedisServer redis(RedisServerOptions{dir.file("redis-cut")});
  const std::string run_dir = dir.file("cut");
  // Killed mid-iteration after its renders, after generating but before
  // rendering, right after a commit, and after the evaluation's renders.
  const std::vector<std::string> kill_points = {"iter:2:rendered", "iter:3:generated",
                                                "iter:3:committed", "eval:rendered"};
  Invocation first = bigpe(small_run(run_dir, redis.url()), dir.file("cut0.log"),
                    {{"BIGPE_FAULT_KILL_AT", kill_points[0]}});
  ASSERT_EQ(first.exit_code, 128 + 9) << first.output;
  for (std::size_t k = 1; k <= kill_points.size(); ++k) {
    std::map<std::string, std::string> env;
    if (k < kill_points.size()) env["BIGPE_FAULT_KILL_AT"] = kill_points[k];
    Invocation resumed = bigpe({"resume", run_dir}, dir.file("cut" + std::to_string(k) + ".log"), env);
    if (k < kill_points.size())
      ASSERT_EQ(resumed.exit_code, 128 + 9) << kill_points[k] << "\n" << resumed.output;
    else
      ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  }
  EXPECT_EQ(result_of(run_dir), result_of(dir.file("ref")));
  EXPECT_EQ(worker_renders(redis), reference_renders);
}

TEST(EngineEndToEnd, ResumeRefusesAChangedExperimentAndAcceptsInfrastructureChanges) {
  testing::TempDir dir("bigpe-refuse");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  const std::string run_dir = dir.file("run");
  Invocation first = bigpe(small_run(run_dir, server.url()), dir.file("run.log"),
                    {{"BIGPE_FAULT_KILL_AT", "iter:2:committed"}});
  ASSERT_EQ(first.exit_code, 128 + 9) << first.output;

  Invocation refused = bigpe({"resume", run_dir, "seed=7", "selector.c=1.5"}, dir.file("refused.log"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("seed"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("selector.c"), std::string::npos) << refused.output;

  Invocation accepted = bigpe({"resume", run_dir, "local_workers=1"}, dir.file("accepted.log"));
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
  EXPECT_NE(accepted.output.find("resuming"), std::string::npos) << accepted.output;
}

TEST(EngineEndToEnd, BadConfigKeyNamesFileLineAndKey) {
  testing::TempDir dir("bigpe-badcfg");
  std::ofstream(dir.file("bad.yaml")) << "name: x\nselector:\n  kind: ucb\n  cc: 1.0\n";
  Invocation r = bigpe({"run", dir.file("bad.yaml")}, dir.file("log"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("bad.yaml:4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("selector.cc"), std::string::npos) << r.output;
}

TEST(EngineEndToEnd, UnreachableLlmServerStopsTheRunResumablyWithTheReason) {
  testing::TempDir dir("bigpe-llm-down");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  std::vector<std::string> args = small_run(dir.file("run"), server.url());
  args.push_back("llm.backend=openai");
  args.push_back("llm.base_url=http://127.0.0.1:" + std::to_string(free_loopback_port()));
  args.push_back("llm.max_retries=1");
  Invocation r = bigpe(args, dir.file("log"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("stopped"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("127.0.0.1"), std::string::npos) << r.output;  // names the endpoint
  EXPECT_NE(r.output.find("bigpe resume"), std::string::npos) << r.output;
  RedisClient c(server.options());
  RedisReply ids = c.command({"ZRANGE", "bigpe:experiments", "0", "-1"});
  ASSERT_EQ(ids.elements.size(), 1u);
  RedisReply status = c.command({"HGET", "bigpe:exp:" + ids.elements[0].str + ":meta", "status"});
  EXPECT_EQ(status.str, "stopped");
}

TEST(EngineEndToEnd, MissingProfessionalDatabaseIsNamed) {
  testing::TempDir dir("bigpe-nodb");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  std::vector<std::string> args = small_run(dir.file("run"), server.url());
  args.push_back("professional.source=jsonl");
  args.push_back("professional.path=" + dir.file("missing.jsonl"));
  Invocation r = bigpe(args, dir.file("log"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("missing.jsonl"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace bigpe
