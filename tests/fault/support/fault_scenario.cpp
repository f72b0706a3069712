#include "tests/fault/support/fault_scenario.h"

#include <csignal>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/json_strict.h"

namespace bigpe::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kRunDeadline = 150s;  // one experiment, faults and resumes included
constexpr auto kPollInterval = 20ms;  // how often the driver looks, not a synchronisation
constexpr int kMaxResumes = 8;
constexpr int kRedisLostExit = 4;  // bigpe worker's status after losing Redis

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The parts of report.json that define the experiment's result (render
// counters are not: a resumed run finds in the cache what it rendered).
std::string result_of(const std::string& run_dir) {
  nlohmann::ordered_json report = json::parse_strict(read_all(run_dir + "/report.json"));
  nlohmann::ordered_json r = nlohmann::ordered_json::object();
  for (const char* k : {"final_instruction", "iterations", "curve", "eval"}) r[k] = report.at(k);
  return json::dump_strict(r);
}

long long counter(RedisClient& redis, const std::string& key) {
  RedisReply r = redis.command({"GET", key});
  return r.is_nil() ? 0 : std::stoll(r.str);
}

// A worker stopped with SIGSTOP, waiting for its SIGCONT.
struct Stopped {
  int worker;
  std::string id;
  std::optional<Clock::time_point> until;  // pause: a time; hang: until the broker drops it
  bool compute = false;  // compute hang: its hang file exists, the process runs
};

class Driver {
 public:
  Driver(FaultCluster& c, std::optional<FaultKind> kind, const std::string& run_dir)
      : c_(c), kind_(kind), run_dir_(run_dir), redis_(c.redis().options()) {}

  FaultRun run(const std::vector<FaultStep>& plan) {
    const auto t0 = Clock::now();
    const long long requeued_before = c_.requeued_by_brokers();
    redis_.command({"FLUSHALL"});
    c_.start_scheduler({"run", "experiments/quickstart.yaml", "out=" + run_dir_, "redis=" + c_.redis().url(),
                        "broker=" + c_.client_endpoint(), "workers=remote", "iterations=4", "batch_size=2",
                        "eval.seeds=2", "queries.heldout=20", "write_images=false"},
                       run_dir_ + ".log");
    std::size_t next = 0;
    while (Clock::now() - t0 < kRunDeadline && out_.failure.empty()) {
      if (!c_.scheduler().running() && !scheduler_exited()) break;
      if (out_.completed) break;
      release_stopped();
      if (kind_ == FaultKind::kWorkerRedisLoss) replace_workers_that_lost_redis();
      if (next < plan.size() && stored() >= plan[next].at_stored) strike(plan[next++]);
      std::this_thread::sleep_for(kPollInterval);
    }
    for (const Stopped& s : stopped_) resume(s);
    if (!out_.completed && out_.failure.empty()) out_.failure = "run did not complete in time";
    if (!out_.failure.empty()) out_.failure += "\n" + c_.diagnostics();
    if (out_.completed) {
      out_.result = result_of(run_dir_);
      // Stopped workers come back (and finish what they held) before counting.
      wait_for_all_workers();
      measure();
    }
    out_.explained += c_.requeued_by_brokers() - requeued_before;
    out_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return out_;
  }

 private:
  // The scheduler exited: done, resumed, or a failure. False ends the run.
  bool scheduler_exited() {
    const int code = *c_.scheduler().exit_status();
    if (code == 0) {
      out_.completed = true;
      return true;
    }
    // 137: we killed it; 2: it stopped itself, resumable (e.g. Redis was gone).
    if ((code == 128 + SIGKILL || code == 2) && out_.resumes < kMaxResumes) {
      ++out_.resumes;
      c_.start_scheduler({"resume", run_dir_}, run_dir_ + ".resume" + std::to_string(out_.resumes) + ".log");
      return true;
    }
    out_.failure = "scheduler exited with status " + std::to_string(code);
    return false;
  }

  long long stored() {
    try {
      return counter(redis_, "bigpe:stats:stored");
    } catch (const RedisError&) {
      return -1;  // restarting: strike later
    }
  }

  long long in_flight_now() {
    auto st = c_.status(1000ms);
    // Without an answer, everything the workers could hold is the bound.
    return st ? st->in_flight : static_cast<long long>(c_.options().workers) * c_.options().slots;
  }

  void strike(const FaultStep& step) {
    ++out_.faults;
    switch (*kind_) {
      case FaultKind::kWorkerKill:
        c_.worker(step.worker).kill();
        c_.start_worker(step.worker);
        break;  // the broker's log counts what it requeued
      case FaultKind::kBrokerKill:
        out_.explained += in_flight_now();
        c_.kill_broker();
        c_.start_broker();
        break;
      case FaultKind::kSchedulerKill:
        out_.explained += in_flight_now();
        c_.scheduler().kill();  // the loop resumes it
        break;
      case FaultKind::kRedisKill:
        out_.explained += in_flight_now();
        c_.redis().kill();
        c_.redis().restart();
        break;
      case FaultKind::kWorkerRedisLoss:
        lose_redis_under(step.worker);
        break;
      case FaultKind::kWorkerHang:
      case FaultKind::kWorkerPause:
      case FaultKind::kComputeHang: {
        // The victim, or the next worker that is not stopped already.
        int victim = step.worker;
        auto stopped = [&](int w) {
          for (const Stopped& s : stopped_)
            if (s.worker == w) return true;
          return false;
        };
        for (int k = 0; k < c_.worker_count() && stopped(victim); ++k) victim = (victim + 1) % c_.worker_count();
        Stopped s{victim, c_.worker_id(victim), std::nullopt};
        if (*kind_ == FaultKind::kComputeHang) {
          // Its next batch hangs; its heartbeat thread goes on.
          std::ofstream(c_.hang_file(victim)) << "hang\n";
          s.compute = true;
        } else {
          c_.worker(victim).send_signal(SIGSTOP);
        }
        if (*kind_ == FaultKind::kWorkerPause) s.until = Clock::now() + std::chrono::milliseconds(step.pause_ms);
        stopped_.push_back(s);
        break;
      }
    }
  }

  // Waits (bounded) until `done` or the scheduler ended; false then, with
  // out_.failure saying what was awaited.
  template <typename Done>
  bool await(Done done, const std::string& what) {
    const auto deadline = Clock::now() + 30s;
    while (!done()) {
      if (Clock::now() >= deadline || !c_.scheduler().running()) {
        out_.failure = "waited in vain for " + what;
        return false;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    return true;
  }

  // The victim's next batch is held (its hang file), Redis is killed under
  // it and the batch let go: its results cannot be stored, so once its
  // --redis-wait-ms has passed it must say so, leave the broker and exit 4.
  // Then Redis comes back from its file and every worker that left is
  // replaced, as a supervisor would.
  void lose_redis_under(int victim) {
    std::ofstream(c_.hang_file(victim)) << "hang\n";
    const bool held = await([&] { return c_.worker_log(victim).find("held while") != std::string::npos; },
                            "worker " + c_.worker_id(victim) + " to start a held batch");
    if (held) {
      out_.explained += in_flight_now();
      c_.redis().kill();
    }
    std::filesystem::remove(c_.hang_file(victim));
    if (!held) return;
    if (await([&] { return !c_.worker(victim).running(); }, "worker " + c_.worker_id(victim) + " to leave")) {
      const std::string log = c_.worker_log(victim);
      const bool said = log.find("lost Redis: redis redis://") != std::string::npos &&
                        log.find("exiting with status 4 (lost Redis)") != std::string::npos;
      if (*c_.worker(victim).exit_status() != kRedisLostExit || !said)
        out_.failure = "worker " + c_.worker_id(victim) + " exited with status " +
                       std::to_string(*c_.worker(victim).exit_status()) + " without saying it lost Redis:\n" + log;
    }
    c_.redis().restart();
    replace_workers_that_lost_redis();
  }

  void replace_workers_that_lost_redis() {
    for (int w = 0; w < c_.worker_count(); ++w) {
      if (c_.worker(w).running()) continue;
      if (*c_.worker(w).exit_status() != kRedisLostExit) {
        out_.failure = "worker " + c_.worker_id(w) + " exited with status " +
                       std::to_string(*c_.worker(w).exit_status());
        return;
      }
      ++out_.workers_left;
      c_.start_worker(w);
    }
  }

  void release_stopped() {
    for (auto it = stopped_.begin(); it != stopped_.end();) {
      const bool due = it->until     ? Clock::now() >= *it->until
                       : it->compute ? c_.lease_expired(it->id)
                                     : c_.broker_removed(it->id);
      if (!due) {
        ++it;
        continue;
      }
      resume(*it);
      it = stopped_.erase(it);
    }
  }

  // A hung batch returns late: its answer is stale at the broker, and its
  // results meet the other worker's in the cache (counted duplicates).
  void resume(const Stopped& s) {
    if (s.compute)
      std::filesystem::remove(c_.hang_file(s.worker));
    else
      c_.worker(s.worker).send_signal(SIGCONT);
  }

  void wait_for_all_workers() {
    const auto deadline = Clock::now() + 30s;
    while (Clock::now() < deadline) {
      auto st = c_.status(1000ms);
      if (st && st->workers == c_.options().workers && st->in_flight == 0) return;
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  void measure() {
    for (const RedisReply& k : redis_.command({"KEYS", "bigpe:result:*"}).elements) out_.keys.insert(k.str);
    for (const RedisReply& v : redis_.command({"HVALS", "bigpe:stats:renders"}).elements)
      out_.renders += std::stoll(v.str);
    out_.stored = counter(redis_, "bigpe:stats:stored");
    out_.repeated = counter(redis_, "bigpe:stats:duplicates");
  }

  FaultCluster& c_;
  std::optional<FaultKind> kind_;
  std::string run_dir_;
  RedisClient redis_;
  std::vector<Stopped> stopped_;
  FaultRun out_;
};

}  // namespace

const char* fault_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kWorkerKill: return "worker-sigkill";
    case FaultKind::kBrokerKill: return "broker-sigkill";
    case FaultKind::kSchedulerKill: return "scheduler-sigkill";
    case FaultKind::kRedisKill: return "redis-sigkill";
    case FaultKind::kWorkerHang: return "worker-no-heartbeat";
    case FaultKind::kWorkerPause: return "worker-pause";
    case FaultKind::kComputeHang: return "hang";
    case FaultKind::kWorkerRedisLoss: return "worker-redis-loss";
  }
  return "?";
}

std::vector<FaultStep> plan_faults(uint64_t seed, long long total_results, int workers, int count) {
  std::mt19937_64 rng(seed);
  std::vector<FaultStep> plan;
  const long long lo = std::max(1LL, total_results / 10), hi = std::max(lo + count, total_results * 9 / 10);
  std::uniform_int_distribution<long long> at(lo, hi);
  std::set<long long> points;
  while (static_cast<int>(points.size()) < count) points.insert(at(rng));
  for (long long p : points) {
    FaultStep s;
    s.at_stored = p;
    s.worker = std::uniform_int_distribution<int>(0, workers - 1)(rng);
    s.pause_ms = std::uniform_int_distribution<int>(100, 2000)(rng);
    plan.push_back(s);
  }
  return plan;
}

FaultRun run_with_faults(FaultCluster& cluster, std::optional<FaultKind> kind,
                         const std::vector<FaultStep>& plan, const std::string& run_dir) {
  return Driver(cluster, kind, run_dir).run(plan);
}

std::string tally_header() {
  char line[200];
  std::snprintf(line, sizeof line, "%-20s %4s %6s %4s %10s %8s %9s %5s %7s %7s", "fault", "runs", "faults",
                "lost", "duplicates", "repeated", "explained", "extra", "resumes", "seconds");
  return line;
}

std::string tally_row(const FaultTally& t) {
  char line[200];
  std::snprintf(line, sizeof line, "%-20s %4d %6d %4lld %10lld %8lld %9lld %5lld %7d %7.1f", t.kind.c_str(), t.runs,
                t.faults, t.lost, t.duplicates, t.repeated, t.explained, t.extra, t.resumes, t.seconds);
  return line;
}

}  // namespace bigpe::testing
