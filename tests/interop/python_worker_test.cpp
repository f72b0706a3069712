// A worker written in another language from schemas/README.md alone (the
// Python mini worker in tests/interop/mini_worker/) serves a real run
// through the real broker and scheduler exactly as the C++ worker does:
// the same backend identity, the same cache keys, the same scores to the
// bit, the same final table. Skips, saying why, without Debian's
// python3-zmq and python3-msgpack.
#include <gtest/gtest.h>

#include <memory>

#include "backends/sim/sim_vocabulary.h"
#include "scheduler/run/backend_identity_check.h"
#include "tests/e2e/remote_fabric.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/test_paths.h"

namespace bigpe::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Empty when the mini worker's modules import, else why not.
std::string python_problem() {
  TempDir dir("bigpe-py-probe");
  ChildProcessOptions o;
  o.argv = {kPython, "-c", "import zmq, msgpack"};
  o.stdout_path = o.stderr_path = dir.file("probe.log");
  try {
    ChildProcess p(o);
    std::optional<int> code = p.wait(std::chrono::seconds(60));
    if (code && *code == 0) return "";
  } catch (const ChildProcessError& e) {
    return e.what();
  }
  return read_text_file(dir.file("probe.log"));
}

struct Served {
  Invocation run;
  std::map<std::string, schemas::ResultRecord> records;
};

// One scaled-down quickstart on a fresh Redis and broker, served by the
// one worker `start` starts.
template <typename Start>
Served serve_run(const std::string& dir, const std::string& identity, Start start) {
  RemoteFabric fabric(dir);
  ChildProcess& worker = start(fabric);
  EXPECT_TRUE(fabric.wait_for_identity("sim", identity)) << read_text_file(fabric.log_path("worker"));
  Served s{fabric.run(dir + "/run", "sim"), fabric.records()};
  EXPECT_EQ(worker.terminate(std::chrono::seconds(10)), 0) << read_text_file(fabric.log_path("worker"));
  return s;
}

#define SKIP_WITHOUT_PYTHON_MODULES()                                                       \
  if (std::string why = python_problem(); !why.empty())                                   \
  GTEST_SKIP() << "python3-zmq and python3-msgpack are needed for the Python mini worker " \
                  "(apt-get install python3-zmq python3-msgpack, or scripts/setup): "     \
               << why

std::vector<std::string> mini_worker_argv(RemoteFabric& f, const std::string& service, const std::string& vocabulary) {
  return {kPython, "-B", std::string(BIGPE_SOURCE_DIR) + "/tests/interop/mini_worker/mini_worker.py",
          "--broker", f.worker_endpoint(), "--redis", f.redis_url(), "--service", service,
          "--worker-id", "py0", "--vocabulary", vocabulary};
}

TEST(PythonWorker, ServesARunExactlyAsTheCppWorkerDoes) {
  SKIP_WITHOUT_PYTHON_MODULES();
  TempDir dir("bigpe-interop");
  const std::string vocabulary = sim::default_vocabulary_path();
  // What the scheduler computes and requires: the Python worker must arrive
  // at the same identity from the README's rule.
  const std::string identity =
      engine::sim_identity(std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(vocabulary)));

  Served py = serve_run(dir.file("py"), identity, [&](RemoteFabric& f) -> ChildProcess& {
    return f.start_worker("worker", mini_worker_argv(f, "sim", vocabulary));
  });
  ASSERT_EQ(py.run.exit_code, 0) << py.run.output;
  Served cpp = serve_run(dir.file("cpp"), identity, [&](RemoteFabric& f) -> ChildProcess& {
    return f.start_cpp_worker("worker", "sim");
  });
  ASSERT_EQ(cpp.run.exit_code, 0) << cpp.run.output;

  ASSERT_NE(result_lines(py.run.output), "") << py.run.output;
  EXPECT_EQ(result_lines(py.run.output), result_lines(cpp.run.output));
  EXPECT_EQ(render_counts(py.run.output), render_counts(cpp.run.output));

  // Every record: the same keys, each scored identically.
  ASSERT_FALSE(py.records.empty());
  ASSERT_EQ(py.records.size(), cpp.records.size());
  for (const auto& [key, p] : py.records) {
    auto c = cpp.records.find(key);
    ASSERT_NE(c, cpp.records.end()) << "the C++ run has no record " << key;
    EXPECT_EQ(p.worker_id, "py0");
    EXPECT_EQ(p.score, c->second.score) << key << ": " << p.prompt;
    EXPECT_EQ(p.identity, identity);
    EXPECT_EQ(c->second.identity, identity);
    EXPECT_EQ(p.prompt, c->second.prompt);
    EXPECT_EQ(p.seed, c->second.seed);
  }
}

// The README's rule for options (section 6): an option the worker's
// backends do not read is refused for good, naming it, so the task fails
// at its first attempt instead of being retried; a cache.* option passes.
TEST(PythonWorker, RefusesAnUnknownRenderOptionForGoodNamingIt) {
  SKIP_WITHOUT_PYTHON_MODULES();
  TempDir dir("bigpe-interop-options");
  const std::string vocabulary = sim::default_vocabulary_path();
  RemoteFabric fabric(dir.path());
  ChildProcess& worker = fabric.start_worker("worker", mini_worker_argv(fabric, kService, vocabulary));
  ASSERT_TRUE(fabric.wait_for_identity(kService, sim_worker_identity())) << read_text_file(fabric.log_path("worker"));

  broker::BrokerClient client(fabric.client_endpoint(), "sched", client_options());
  client.submit({make_task("bad", "a lamp", 2, {{"sim.tast_seed", "4"}}),
                 make_task("good", "a vase", 2, {{"sim.taste_seed", "4"}, {"cache.scope", "exp1"}})});
  Outcomes out = collect(client, 2);
  ASSERT_EQ(out.failed.count("bad"), 1u) << read_text_file(fabric.log_path("worker"));
  EXPECT_EQ(out.failed.at("bad").attempts, 1) << "a refusal by rule is not retried";
  EXPECT_NE(out.failed.at("bad").reason.find("unknown render option 'sim.tast_seed'"), std::string::npos)
      << out.failed.at("bad").reason;
  ASSERT_EQ(out.results.count("good"), 1u) << read_text_file(fabric.log_path("worker"));
  EXPECT_EQ(out.results.at("good").error, "");
  EXPECT_EQ(worker.terminate(std::chrono::seconds(10)), 0) << read_text_file(fabric.log_path("worker"));
}

}  // namespace
}  // namespace bigpe::testing
