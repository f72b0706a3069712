// The fault suite: one small experiment per fault kind on a cluster of
// separate processes (redis-server, `bigpe broker`, three `bigpe worker`s,
// the scheduler), first undisturbed (the reference), then with two faults of
// that kind injected at points drawn from the seed (kinds: fault_scenario.h;
// worker-redis-loss: the victim must also leave with status 4, saying why,
// and be replaced). After each run:
//   - the run completed (resumed when the scheduler died or stopped),
//   - every result of the reference is stored, and stored exactly once,
//   - the experiment's result equals the reference's,
//   - renders repeated beyond what the lost in-flight tasks explain: zero,
//   - no process log says "terminate called" or "core dumped".
// Each test prints its line of the per-kind report and appends it to
// <build>/fault_report.txt. BIGPE_FAULT_SEED picks other points (default 6);
// BIGPE_FAULT_RUNS repeats the faulted run (default 1).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "tests/fault/support/fault_scenario.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe::testing {
namespace {

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

class FaultSuite : public ::testing::TestWithParam<FaultKind> {};

TEST_P(FaultSuite, RunCompletesWithNothingLostNothingStoredTwiceAndNoUnexplainedRender) {
  const FaultKind kind = GetParam();
  TempDir dir(std::string("fault-") + fault_name(kind));
  ClusterOptions options{dir.path()};
  // A hung batch is found by its lease: short here (a sim task takes tens
  // of ms), generous against a loaded machine.
  if (kind == FaultKind::kComputeHang) options.task_lease_ms = 1500;
  // A batch is held while Redis dies under it; its worker waits 300 ms for
  // Redis (not the default 20 s) before it leaves.
  if (kind == FaultKind::kWorkerRedisLoss) {
    options.hang_files = true;
    options.worker_redis_wait_ms = 300;
  }
  FaultCluster cluster(options);

  FaultRun reference = run_with_faults(cluster, std::nullopt, {}, dir.file("reference"));
  ASSERT_TRUE(reference.completed) << reference.failure;
  // One render per distinct result; an overloaded machine may still make
  // the broker give up on a slow worker, which the broker's log explains.
  const long long distinct = static_cast<long long>(reference.keys.size());
  ASSERT_LE(reference.renders - distinct, reference.explained);

  FaultTally tally;
  tally.kind = fault_name(kind);
  const uint64_t seed = env_number("BIGPE_FAULT_SEED", 6) * 1000 + static_cast<uint64_t>(kind);
  const int runs = static_cast<int>(env_number("BIGPE_FAULT_RUNS", 1));
  for (int r = 0; r < runs; ++r) {
    std::vector<FaultStep> plan =
        plan_faults(seed + r, distinct, cluster.options().workers, 2);
    FaultRun run = run_with_faults(cluster, kind, plan, dir.file("run" + std::to_string(r)));
    ASSERT_TRUE(run.completed) << run.failure;
    ++tally.runs;
    tally.faults += run.faults;
    tally.resumes += run.resumes;
    tally.seconds += run.seconds;
    EXPECT_EQ(run.faults, static_cast<int>(plan.size())) << "every planned fault was injected";
    if (kind == FaultKind::kWorkerRedisLoss)
      EXPECT_GE(run.workers_left, run.faults) << "each victim left with status 4 and was replaced";

    long long lost = 0;
    for (const std::string& k : reference.keys) lost += run.keys.count(k) == 0 ? 1 : 0;
    const long long duplicates = run.stored - static_cast<long long>(run.keys.size());
    const long long repeated = run.renders - distinct;
    const long long extra = std::max(0LL, repeated - run.explained);
    tally.lost += lost;
    tally.duplicates += duplicates;
    tally.repeated += repeated;
    tally.explained += run.explained;
    tally.extra += extra;

    EXPECT_EQ(run.result, reference.result) << "the faulted run's result differs from the reference";
    EXPECT_EQ(lost, 0) << "results of the reference missing after the faults";
    EXPECT_EQ(run.keys.size(), reference.keys.size()) << "results stored that the reference does not have";
    EXPECT_EQ(duplicates, 0) << "a result was stored more than once";
    EXPECT_EQ(repeated, run.repeated) << "every repeated render met a stored result";
    EXPECT_EQ(extra, 0) << repeated << " repeated renders, " << run.explained << " in-flight tasks lost";
  }

  // Every process of every run ended by its own code or by the fault, never
  // by an exception that escaped a thread.
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!e.is_regular_file() || e.path().extension() != ".log") continue;
    const std::string log = read_text_file(e.path().string());
    EXPECT_EQ(log.find("terminate called"), std::string::npos) << e.path();
    EXPECT_EQ(log.find("core dumped"), std::string::npos) << e.path();
  }

  const std::string row = tally_row(tally);
  std::cout << "[fault-report] " << tally_header() << "\n[fault-report] " << row << std::endl;
  std::ofstream(std::string(BIGPE_BINARY_DIR) + "/fault_report.txt", std::ios::app) << row << "\n";
}

INSTANTIATE_TEST_SUITE_P(Kinds, FaultSuite,
                         ::testing::Values(FaultKind::kWorkerKill, FaultKind::kBrokerKill,
                                           FaultKind::kSchedulerKill, FaultKind::kRedisKill,
                                           FaultKind::kWorkerHang, FaultKind::kWorkerPause,
                                           FaultKind::kComputeHang, FaultKind::kWorkerRedisLoss),
                         [](const ::testing::TestParamInfo<FaultKind>& info) {
                           std::string name = fault_name(info.param);
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace bigpe::testing
