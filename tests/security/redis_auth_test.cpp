// Redis AUTH end to end: a password-protected redis-server, a whole
// experiment whose scheduler and workers read the password from a file,
// and then a search for the password everywhere it must not be: every key
// and value in Redis, the run folder (run.json, reports) and the logs. A
// password put in the `redis` url is refused before anything is written.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"

namespace bigpe::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPassword = "s3cret-Pa55word-for-bigpe";

class RedisAuthEndToEnd : public RedisFixture {
 protected:
  RedisServerOptions server_options(RedisServerOptions defaults) override {
    defaults.password = kPassword;
    return defaults;
  }
  int bigpe(const std::vector<std::string>& args, const std::string& log,
            std::map<std::string, std::string> env = {}) {
    ChildProcessOptions o;
    o.argv = {BIGPE_EXE, "--log-level", "debug"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.env = std::move(env);
    o.stdout_path = o.stderr_path = log;
    o.working_dir = BIGPE_SOURCE_DIR;
    ChildProcess p(o);
    std::optional<int> code = p.wait(std::chrono::seconds(240));
    return code ? *code : (p.kill(), -1);
  }
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(RedisAuthEndToEnd, PasswordFromAFileWorksAndIsStoredNowhere) {
  const std::string password_file = temp_dir().file("redis.password");
  std::ofstream(password_file) << kPassword << "\n";
  const std::string run_dir = temp_dir().file("run");
  const std::string url = "redis://127.0.0.1:" + std::to_string(server().port());
  int code = bigpe({"run", "experiments/quickstart.yaml", "out=" + run_dir, "redis=" + url,
                    "redis_password_file=" + password_file, "iterations=2", "batch_size=1", "eval.seeds=1",
                    "queries.heldout=4", "sim.cost_ms=0"},
                   temp_dir().file("run.log"));
  ASSERT_EQ(code, 0) << file_tail(temp_dir().file("run.log"));

  // Every key, every value (DUMP covers strings, hashes, streams alike).
  auto redis = client_ptr();
  RedisReply keys = redis->command({"KEYS", "*"});
  ASSERT_GT(keys.elements.size(), 10u);
  for (const RedisReply& k : keys.elements) {
    EXPECT_EQ(k.str.find(kPassword), std::string::npos) << k.str;
    RedisReply dump = redis->command({"DUMP", k.str});
    EXPECT_EQ(dump.str.find(kPassword), std::string::npos) << "value of " << k.str;
  }
  for (const auto& entry : fs::recursive_directory_iterator(run_dir)) {
    if (!entry.is_regular_file() || entry.path().string().find("/redis/") != std::string::npos) continue;
    EXPECT_EQ(read_all(entry.path().string()).find(kPassword), std::string::npos) << entry.path();
  }
  EXPECT_EQ(read_all(temp_dir().file("run.log")).find(kPassword), std::string::npos);
}

TEST_F(RedisAuthEndToEnd, PasswordInTheUrlIsRefusedBeforeAnythingIsWritten) {
  const std::string run_dir = temp_dir().file("run");
  const std::string url = std::string("redis://:") + kPassword + "@127.0.0.1:" + std::to_string(server().port());
  int code = bigpe({"run", "experiments/quickstart.yaml", "out=" + run_dir, "redis=" + url}, temp_dir().file("log"));
  EXPECT_EQ(code, 1);
  const std::string log = read_all(temp_dir().file("log"));
  EXPECT_NE(log.find("redis_password_file"), std::string::npos) << log;
  EXPECT_EQ(log.find(kPassword), std::string::npos) << "the refusal must not echo the password";
  EXPECT_FALSE(fs::exists(run_dir + "/run.json"));
  EXPECT_EQ(client_ptr()->command({"DBSIZE"}).integer, 0);
}

TEST_F(RedisAuthEndToEnd, WorkerReadsThePasswordFromTheEnvironmentFile) {
  const std::string password_file = temp_dir().file("pw");
  std::ofstream(password_file) << kPassword << "\n";
  InProcessBroker broker(broker_options());
  ChildProcessOptions o;
  o.argv = {BIGPE_EXE, "--log-level", "debug", "worker", "--broker", broker.worker_endpoint(), "--redis",
            server().url(), "--service", kService, "--worker-id", "w0",
            "--heartbeat-ms", std::to_string(kHeartbeat.count())};
  o.env = {{"BIGPE_REDIS_PASSWORD_FILE", password_file}};
  o.stdout_path = o.stderr_path = temp_dir().file("w0.log");
  ChildProcess worker(o);
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << file_tail(temp_dir().file("w0.log"));
  client.submit({make_task("t1", "a safe", 1)});
  ASSERT_EQ(collect(client, 1).results.size(), 1u) << file_tail(temp_dir().file("w0.log"));
  EXPECT_EQ(count_keys(*client_ptr(), "bigpe:result:*"), 1);
  EXPECT_EQ(read_all(temp_dir().file("w0.log")).find(kPassword), std::string::npos);
  EXPECT_EQ(worker.terminate(std::chrono::milliseconds(5000)), 0);
}

}  // namespace
}  // namespace bigpe::testing
