#pragma once
// One experiment on a FaultCluster while a driver injects faults of one
// kind at points drawn from a seed, and what came out of it: whether the
// run completed (resuming the scheduler when it died or stopped), the
// result-defining parts of its report, the result keys in Redis and the
// workers' counters. The driver never sleeps to synchronise: it polls the
// stored-results counter to decide when to strike, and the broker's log or
// STATUS to decide when a stopped worker may continue.
//
// Not thread-safe: runs on the test's thread.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/fault/support/fault_cluster.h"

namespace bigpe::testing {

enum class FaultKind {
  kWorkerKill,     // SIGKILL a worker, start a replacement
  kBrokerKill,     // SIGKILL the broker, start a new one on the same ports
  kSchedulerKill,  // SIGKILL the scheduler, then `bigpe resume`
  kRedisKill,      // SIGKILL redis-server, restart it from its append-only file
  kWorkerHang,     // SIGSTOP a worker: silent, socket open; SIGCONT once the broker dropped it
  kWorkerPause,    // SIGSTOP a worker for 100-2000 ms (around the liveness limit), then SIGCONT
  kComputeHang,    // a worker's batch hangs, heartbeats go on; the batch returns once a lease expired
  kWorkerRedisLoss,  // Redis dies under a worker's batch and stays down past its wait: it leaves (exit 4)
};
const char* fault_name(FaultKind kind);

struct FaultStep {
  long long at_stored = 0;  // strike once this many results are stored
  int worker = 0;           // victim, for worker faults
  int pause_ms = 0;         // kWorkerPause
};

// `count` steps at distinct points in (10%, 90%) of `total_results`.
std::vector<FaultStep> plan_faults(uint64_t seed, long long total_results, int workers, int count);

struct FaultRun {
  bool completed = false;
  std::string failure;       // why not, with log tails
  std::string result;        // report.json: final instruction, iterations, curve, eval
  std::set<std::string> keys;  // bigpe:result:* at the end
  long long renders = 0;     // sum of bigpe:stats:renders
  long long stored = 0;      // bigpe:stats:stored
  long long repeated = 0;    // bigpe:stats:duplicates: renders whose result was already stored
  long long explained = 0;   // in-flight tasks lost to the faults (upper bound on repeats)
  int faults = 0;
  int resumes = 0;
  int workers_left = 0;      // kWorkerRedisLoss: workers that exited 4 and were replaced
  double seconds = 0;
};

// Runs the small quickstart experiment in `run_dir` (Redis is flushed
// first) with the faults of `plan` (none when kind is nullopt).
FaultRun run_with_faults(FaultCluster& cluster, std::optional<FaultKind> kind,
                           const std::vector<FaultStep>& plan, const std::string& run_dir);

// The per-kind report line (and its header).
struct FaultTally {
  std::string kind;
  int runs = 0, faults = 0, resumes = 0;
  long long lost = 0, duplicates = 0, repeated = 0, explained = 0, extra = 0;
  double seconds = 0;
};
std::string tally_header();
std::string tally_row(const FaultTally& t);

}  // namespace bigpe::testing
