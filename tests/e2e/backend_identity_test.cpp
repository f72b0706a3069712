// Settings that only a worker knows (here the sim vocabulary) are part of
// every render's identity: a run never uses workers set up differently, and
// never reuses their cached results. Whole runs of the real `bigpe`.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <set>

#include "backends/sim/sim_vocabulary.h"
#include "common/redis/redis_server.h"
#include "scheduler/run/backend_identity_check.h"
#include "tests/e2e/remote_fabric.h"
#include "tests/support/test_paths.h"

namespace bigpe::testing {
namespace {

// The first `n` phrase lines of the project's vocabulary: another
// vocabulary, yet one the heuristic agents still work with.
std::string write_vocabulary(const std::string& path, std::size_t n) {
  std::ifstream in(sim::default_vocabulary_path());
  std::ofstream out(path);
  std::size_t kept = 0;
  for (std::string line; kept < n && std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    out << line << "\n";
    ++kept;
  }
  return path;
}

std::string identity_of(const std::string& vocabulary_path) {
  return engine::sim_identity(std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(vocabulary_path)));
}

TEST(BackendIdentity, ARemoteWorkerWithAnotherVocabularyIsRefusedBeforeAnyRender) {
  TempDir dir("bigpe-identity");
  RemoteFabric fabric(dir.file("fabric"));
  const std::string other = write_vocabulary(dir.file("other.txt"), 300);
  ASSERT_NE(identity_of(other), identity_of(sim::default_vocabulary_path()));
  fabric.start_cpp_worker("w-other", "sim", {"--sim-vocabulary", other});
  ASSERT_TRUE(fabric.wait_for_identity("sim", identity_of(other))) << read_text_file(fabric.log_path("w-other"));

  Invocation r = fabric.run(dir.file("run"), "sim");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no worker of service sim has the backend identity this run needs"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(identity_of(sim::default_vocabulary_path())), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(identity_of(other)), std::string::npos) << r.output;
  EXPECT_EQ(fabric.worker_renders(), 0) << "nothing may be rendered by the other worker";
  EXPECT_TRUE(fabric.records().empty());
}

// With render.backend torchscript-sd the scheduler cannot compute the
// identity: it learns it from the service's workers (a sim worker stands in
// for a GPU one here) and pins it, so a resume needs the same one.
TEST(BackendIdentity, ALearnedIdentityIsPinnedAndAResumeWithOtherWorkersIsRefused) {
  TempDir dir("bigpe-identity");
  RemoteFabric fabric(dir.file("fabric"));
  const std::string a = identity_of(sim::default_vocabulary_path());
  const std::string other = write_vocabulary(dir.file("other.txt"), 300);
  const std::string b = identity_of(other);
  ChildProcess& first = fabric.start_cpp_worker("w-a", "gpu");
  ASSERT_TRUE(fabric.wait_for_identity("gpu", a)) << read_text_file(fabric.log_path("w-a"));
  Invocation run = fabric.run(dir.file("run"), "gpu", {"render.backend=torchscript-sd"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  RedisClient redis = fabric.redis();
  const std::string id = redis.command({"ZRANGE", "bigpe:experiments", "0", "0"}).elements.at(0).str;
  EXPECT_EQ(redis.command({"HGET", "bigpe:exp:" + id + ":meta", "backend_identity"}).str, a);

  EXPECT_EQ(first.terminate(), 0);
  fabric.start_cpp_worker("w-b", "gpu", {"--sim-vocabulary", other});
  ASSERT_TRUE(fabric.wait_for_identities("gpu", {b})) << read_text_file(fabric.log_path("w-b"));
  const long long renders = fabric.worker_renders();
  Invocation resumed = run_bigpe({"resume", dir.file("run")}, dir.file("resume.log"));
  EXPECT_NE(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("no worker of service gpu has the backend identity this run needs, '" + a + "'"),
            std::string::npos)
      << resumed.output;
  EXPECT_EQ(fabric.worker_renders(), renders) << "the resume rendered nothing";
}

TEST(BackendIdentity, ALearnedServiceWithWorkersOfSeveralIdentitiesRefusesTheRun) {
  TempDir dir("bigpe-identity");
  RemoteFabric fabric(dir.file("fabric"));
  const std::string other = write_vocabulary(dir.file("other.txt"), 300);
  fabric.start_cpp_worker("w-a", "gpu");
  fabric.start_cpp_worker("w-b", "gpu", {"--sim-vocabulary", other});
  ASSERT_TRUE(fabric.wait_for_identities("gpu", {identity_of(sim::default_vocabulary_path()), identity_of(other)}));
  Invocation r = fabric.run(dir.file("run"), "gpu", {"render.backend=torchscript-sd"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("advertise several backend identities"), std::string::npos) << r.output;
  EXPECT_EQ(fabric.worker_renders(), 0);
}

TEST(BackendIdentity, AnotherVocabularyReusesNoCachedRenderAndTheSameOneReusesAll) {
  TempDir dir("bigpe-identity");
  RedisServer redis(RedisServerOptions{dir.file("redis")});
  const std::string other = write_vocabulary(dir.file("other.txt"), 300);
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "experiments/quickstart.yaml", "out=" + dir.file(name),
                                     "redis=" + redis.url(), "iterations=2", "batch_size=2", "sim.cost_ms=0",
                                     "eval.seeds=2", "queries.heldout=6", "write_images=false"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_bigpe(args, dir.file(name + ".log"));
  };
  Invocation first = run("first", {});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_GT(render_counts(first.output).first, 0) << first.output;
  EXPECT_EQ(render_counts(first.output).second, 0) << first.output;

  // The plain-query and the other fixed arms have the same prompts, seeds
  // and service under either vocabulary: without the identity in the key
  // they would have been served from the first run's results.
  Invocation second = run("second", {"sim.vocabulary=" + other});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(render_counts(second.output).second, 0) << second.output;

  Invocation again = run("again", {});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(render_counts(again.output).first, 0) << again.output;
  EXPECT_GT(render_counts(again.output).second, 0) << again.output;
  EXPECT_EQ(result_lines(again.output), result_lines(first.output));

  RedisClient c(redis.options());
  std::set<std::string> identities;
  for (const RedisReply& k : c.command({"KEYS", "bigpe:result:*"}).elements)
    identities.insert(schemas::decode_result_record(c.command({"GET", k.str}).str).identity);
  EXPECT_EQ(identities, (std::set<std::string>{identity_of(sim::default_vocabulary_path()), identity_of(other)}));
}

TEST(BackendIdentity, AResumeAfterTheVocabularyFileChangedIsRefused) {
  TempDir dir("bigpe-identity");
  RedisServer redis(RedisServerOptions{dir.file("redis")});
  const std::string vocab = write_vocabulary(dir.file("vocab.txt"), 400);
  const std::string before = identity_of(vocab);
  Invocation first = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + dir.file("run"), "redis=" + redis.url(),
                                "iterations=1", "batch_size=1", "sim.cost_ms=0", "eval.enabled=false",
                                "write_images=false", "sim.vocabulary=" + vocab},
                               dir.file("first.log"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  write_vocabulary(vocab, 350);  // same path, so the config is unchanged; other phrases
  const std::string after = identity_of(vocab);
  ASSERT_NE(after, before);

  Invocation resumed = run_bigpe({"resume", dir.file("run")}, dir.file("resume.log"));
  EXPECT_NE(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("started with backend identity '" + before + "'"), std::string::npos)
      << resumed.output;
  EXPECT_NE(resumed.output.find(after), std::string::npos) << resumed.output;
}

}  // namespace
}  // namespace bigpe::testing
