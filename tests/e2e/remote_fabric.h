#pragma once
// RemoteFabric: the services a `bigpe run ... workers=remote` talks to, for
// whole-run tests with worker processes of our choosing (a C++ `bigpe
// worker`, the Python mini worker): a private redis-server and an
// in-process broker on loopback ports, both with the protocol's default
// timing, which is what the scheduler and the workers use. Waits poll a
// condition against a deadline; destruction stops what was started.
//
// Header-only (needs BIGPE_EXE). Not thread-safe: the test's main thread
// owns it.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "broker/broker.h"
#include "broker/broker_client.h"
#include "common/child_process.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "common/redis/result_cache.h"
#include "schemas/render_task.h"
#include "tests/support/bigpe_invocation.h"

namespace bigpe::testing {

class RemoteFabric {
 public:
  explicit RemoteFabric(const std::string& dir)
      : dir_(dir), redis_(RedisServerOptions{dir + "/redis"}), broker_(broker_options()) {
    thread_ = std::thread([this] { broker_.run(); });
  }
  ~RemoteFabric() {
    workers_.clear();  // SIGKILL and reap any still running
    broker_.stop();
    thread_.join();
  }

  std::string redis_url() const { return redis_.url(); }
  std::string client_endpoint() const { return broker_.client_endpoint(); }
  std::string worker_endpoint() const { return broker_.worker_endpoint(); }
  RedisClient redis() const { return RedisClient(redis_.options()); }

  // Starts a worker process (its output goes to <dir>/<name>.log).
  ChildProcess& start_worker(const std::string& name, std::vector<std::string> argv) {
    ChildProcessOptions o;
    o.argv = std::move(argv);
    o.stdout_path = o.stderr_path = log_path(name);
    o.working_dir = BIGPE_SOURCE_DIR;
    workers_.push_back(std::make_unique<ChildProcess>(o));
    return *workers_.back();
  }
  // A C++ sim worker for `service`, with extra flags (e.g. --sim-vocabulary).
  ChildProcess& start_cpp_worker(const std::string& name, const std::string& service,
                                 std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {BIGPE_EXE, "worker", "--broker", worker_endpoint(), "--redis", redis_url(),
                                     "--service", service, "--backend", "sim", "--worker-id", name};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return start_worker(name, argv);
  }
  std::string log_path(const std::string& name) const { return dir_ + "/" + name + ".log"; }

  // Waits until the identities the broker's workers of `service` advertise
  // are exactly `identities` (false at the deadline).
  bool wait_for_identities(const std::string& service, const std::set<std::string>& identities) {
    broker::BrokerClient client(client_endpoint(), "fabric-probe");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        std::set<std::string> serving;
        for (const auto& s : client.status(std::chrono::seconds(2)).services)
          if (s.name == service && s.workers > 0) serving.insert(s.identity);
        if (serving == identities) return true;
      } catch (const std::runtime_error&) {
        // No reply yet: ask again.
      }
      client.poll(std::chrono::milliseconds(50));  // poll interval, not a synchronisation
    }
    return false;
  }
  bool wait_for_identity(const std::string& service, const std::string& identity) {
    return wait_for_identities(service, {identity});
  }

  // `bigpe run experiments/quickstart.yaml`, scaled down, against these
  // services and remote workers serving `service`.
  Invocation run(const std::string& out, const std::string& service, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "experiments/quickstart.yaml", "out=" + out, "redis=" + redis_url(),
                                     "broker=" + client_endpoint(), "workers=remote", "render.service=" + service,
                                     "iterations=2", "batch_size=2", "sim.cost_ms=0", "eval.seeds=2",
                                     "queries.heldout=6", "write_images=false"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_bigpe(args, out + ".log");
  }

  // Every stored result record, by key.
  std::map<std::string, schemas::ResultRecord> records() {
    RedisClient c = redis();
    std::map<std::string, schemas::ResultRecord> out;
    for (const RedisReply& k : c.command({"KEYS", "bigpe:result:*"}).elements)
      out[k.str.substr(std::string("bigpe:result:").size())] =
          schemas::decode_result_record(c.command({"GET", k.str}).str);
    return out;
  }

  long long worker_renders() {
    long long total = 0;
    for (const RedisReply& e : redis().command({"HVALS", "bigpe:stats:renders"}).elements) total += std::stoll(e.str);
    return total;
  }

 private:
  static broker::BrokerOptions broker_options() {
    broker::BrokerOptions o;
    o.client_endpoint = "tcp://127.0.0.1:*";
    o.worker_endpoint = "tcp://127.0.0.1:*";
    return o;
  }

  std::string dir_;
  RedisServer redis_;
  broker::Broker broker_;
  std::thread thread_;
  std::vector<std::unique_ptr<ChildProcess>> workers_;
};

// The lines of a `bigpe run` output that state its result: the final
// instruction and the held-out table (not the timing or the run folder).
inline std::string result_lines(const std::string& output) {
  const auto begin = output.find("final instruction");
  const auto end = output.find("renders:", begin == std::string::npos ? 0 : begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  return output.substr(begin, end - begin);
}

// "renders: N done, M cached" of a `bigpe run` output, as {N, M}; {-1, -1}
// when the line is missing.
inline std::pair<long, long> render_counts(const std::string& output) {
  long done = -1, cached = -1;
  const auto at = output.rfind("renders: ");
  if (at == std::string::npos || std::sscanf(output.c_str() + at, "renders: %ld done, %ld cached", &done, &cached) != 2)
    return {-1, -1};
  return {done, cached};
}

}  // namespace bigpe::testing
