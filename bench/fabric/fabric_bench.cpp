#include "bench/fabric/fabric_bench.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "backends/backend_identity.h"
#include "broker/broker.h"
#include "broker/broker_client.h"
#include "common/content_hash.h"
#include "common/file_io.h"
#include "common/redis/redis_server.h"
#include "schemas/render_task.h"
#include "worker/local_worker_pool.h"

namespace bigpe::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kService = "bench+sim";

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds used by this process so far (all threads). Printed per round
// trip, it tells what each phase costs even on a machine shared with other
// work, where the rates alone are noisy.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds per thread name, from /proc/self/task (clock ticks): for
// --threads, to see which part of the fabric a round trip's CPU goes to.
std::map<std::string, double> thread_cpu_seconds() {
  std::map<std::string, double> out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    const std::string stat = try_read_file((entry.path() / "stat").string()).value_or("");
    std::size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::string name = stat.substr(open + 1, close - open - 1);
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    // Fields after the name: state is field 3; utime and stime are 14 and 15.
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    out[name] += (utime + stime) / tick;
  }
  return out;
}

struct PhaseResult {
  double rate = 0;
  double cpu_us = 0;  // process CPU time per round trip
  std::map<std::string, double> thread_cpu_us;  // per thread name, per round trip
};

void set_thread_cpu(PhaseResult& r, const std::map<std::string, double>& before, long done) {
  for (const auto& [name, seconds] : thread_cpu_seconds()) {
    auto it = before.find(name);
    double used = seconds - (it == before.end() ? 0 : it->second);
    if (done > 0) r.thread_cpu_us[name] = 1e6 * used / static_cast<double>(done);
  }
}

// Tiny images: the benchmark measures the fabric, not the sim renderer.
BackendSettings bench_backends() {
  BackendSettings b;
  b.sim_size = 8;
  return b;
}

std::string bench_identity() {
  return backend_identity(*make_renderer(bench_backends()), *make_scorer(bench_backends()));
}

// A one-item render task whose encoded body is about `payload` bytes; the
// counter makes every prompt, and so every cache key, distinct.
class TaskMaker {
 public:
  // `identity`: the workers' backend identity, which every task must name.
  TaskMaker(int payload, std::string identity) : identity_(std::move(identity)) {
    filler_ = std::string(static_cast<std::size_t>(payload), 'x');
    // Trim the filler so that the whole body lands on the requested size.
    std::size_t probe = make().body.size();
    std::size_t excess = probe > static_cast<std::size_t>(payload) ? probe - payload : 0;
    filler_.resize(filler_.size() > excess ? filler_.size() - excess : 1);
    next_ = 0;
  }
  schemas::TaskEnvelope make() {
    std::string n = std::to_string(next_++);
    schemas::RenderTask t;
    t.experiment_id = "bench";
    t.service = kService;
    t.identity = identity_;
    schemas::RenderItem it;
    it.prompt = "a cactus " + n + " " + filler_;
    it.score_text = "a cactus";
    it.seed = 1;
    it.key = result_key(t.service, t.identity, it.prompt, it.score_text, it.seed, t.params);
    t.items.push_back(std::move(it));
    return schemas::TaskEnvelope{"t" + n, "bench", kService, schemas::encode(t), identity_};
  }

 private:
  std::string identity_;
  std::string filler_;
  long next_ = 0;
};

// Phase (a): ROUTER <-> DEALER echo, each echo thread kept at its share of
// the window.
PhaseResult raw_echo_rate(const FabricBenchOptions& o, std::size_t payload) {
  zmq::context_t ctx(1);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.bind("tcp://127.0.0.1:*");
  const std::string endpoint = router.get(zmq::sockopt::last_endpoint);

  std::vector<std::thread> echoes;
  for (int i = 0; i < o.workers; ++i) {
    echoes.emplace_back([&ctx, endpoint, i] {
      zmq::socket_t d(ctx, zmq::socket_type::dealer);
      d.set(zmq::sockopt::linger, 0);
      d.set(zmq::sockopt::routing_id, "echo" + std::to_string(i));
      d.connect(endpoint);
      d.send(zmq::str_buffer("hello"), zmq::send_flags::none);
      zmq::message_t m;
      // An empty message ends the echo.
      while (d.recv(m, zmq::recv_flags::none) && m.size() > 0) d.send(m, zmq::send_flags::none);
    });
  }
  std::vector<std::string> ids;
  while (static_cast<int>(ids.size()) < o.workers) {
    zmq::message_t id, hello;
    (void)router.recv(id);
    (void)router.recv(hello);
    ids.push_back(id.to_string());
  }
  const std::string body(payload, 'p');
  auto send_to = [&](const std::string& id, const std::string& bytes) {
    router.send(zmq::buffer(id), zmq::send_flags::sndmore);
    router.send(zmq::buffer(bytes), zmq::send_flags::none);
  };
  for (int k = 0; k < o.window; ++k) send_to(ids[static_cast<std::size_t>(k) % ids.size()], body);
  long done = 0;
  const auto start = Clock::now();
  const double cpu0 = process_cpu_seconds();
  const auto threads0 = thread_cpu_seconds();
  double elapsed = 0;
  zmq::message_t id, reply;
  while ((elapsed = seconds_since(start)) < o.seconds) {
    (void)router.recv(id);
    (void)router.recv(reply);
    ++done;
    send_to(id.to_string(), body);
  }
  PhaseResult result{static_cast<double>(done) / elapsed,
                     1e6 * (process_cpu_seconds() - cpu0) / static_cast<double>(done), {}};
  set_thread_cpu(result, threads0, done);
  for (const std::string& i : ids) send_to(i, "");
  for (auto& t : echoes) t.join();
  return result;
}

// Phases (b) and (c): the scheduler's path through broker and workers.
PhaseResult fabric_rate(const FabricBenchOptions& o, const RedisOptions* redis) {
  broker::BrokerOptions bo;
  bo.client_endpoint = "tcp://127.0.0.1:*";
  bo.worker_endpoint = "tcp://127.0.0.1:*";
  broker::Broker broker(bo);
  // Over inproc the peers must share the broker's context.
  std::shared_ptr<zmq::context_t> context = o.inproc ? broker.context() : nullptr;
  std::thread broker_thread([&] {
    pthread_setname_np(pthread_self(), "bigpe-broker");
    broker.run();
  });
  // Stops the broker however this function leaves (an exception included).
  struct BrokerStopper {
    broker::Broker& broker;
    std::thread& thread;
    ~BrokerStopper() {
      broker.stop();
      thread.join();
    }
  } stopper{broker, broker_thread};

  WorkerOptions wo;
  wo.broker_endpoint = o.inproc ? broker.inproc_worker_endpoint() : broker.worker_endpoint();
  wo.services = {kService};
  // Room at the workers for the whole window, so the window measures the
  // fabric rather than the credit.
  wo.slots = std::max(2, (o.window + o.workers - 1) / o.workers);
  wo.worker_id = redis ? "bench-persist" : "bench";
  wo.persist = redis != nullptr;
  if (redis) wo.redis = *redis;
  PhaseResult result;
  {
    LocalWorkerPool pool(o.workers, wo, bench_backends(), context);
    pool.start();
    {
      broker::BrokerClientOptions co;
      co.context = context;
      broker::BrokerClient client(o.inproc ? broker.inproc_client_endpoint() : broker.client_endpoint(),
                                  "bench-client", co);
      const auto ready_deadline = Clock::now() + 30s;
      for (;;) {
        try {
          if (client.status(2000ms).workers >= o.workers) break;
        } catch (const std::runtime_error&) {
          // No STATUS reply yet (a busy machine): ask again until the deadline.
        }
        if (Clock::now() > ready_deadline) throw std::runtime_error("bench: workers did not register within 30 s");
      }
      TaskMaker maker(o.payload, pool.identity());
      std::vector<schemas::TaskEnvelope> batch;
      for (int k = 0; k < o.window; ++k) batch.push_back(maker.make());
      client.submit(batch);
      long done = 0, failed = 0;
      const auto start = Clock::now();
      const double cpu0 = process_cpu_seconds();
      const auto threads0 = thread_cpu_seconds();
      double elapsed = 0;
      while ((elapsed = seconds_since(start)) < o.seconds) {
        batch.clear();
        for (auto& e : client.poll(100ms)) {
          if (e.kind == broker::BrokerClient::Event::Kind::kResult)
            ++done;
          else
            ++failed;
          batch.push_back(maker.make());
        }
        if (!batch.empty()) client.submit(batch);
      }
      if (failed > 0) throw std::runtime_error("bench: " + std::to_string(failed) + " tasks failed");
      result.rate = static_cast<double>(done) / elapsed;
      result.cpu_us = 1e6 * (process_cpu_seconds() - cpu0) / static_cast<double>(done);
      set_thread_cpu(result, threads0, done);
      // Collect the window still in flight, so that nothing is answered to
      // a client that has gone (bounded: the tasks cost nothing).
      const auto drain_deadline = Clock::now() + 10s;
      while (client.in_flight() > 0 && Clock::now() < drain_deadline) client.poll(100ms);
    }
    pool.stop();
  }
  return result;
}

void print_threads(const PhaseResult& r, const FabricBenchOptions& o, std::ostream& out) {
  if (!o.thread_cpu) return;
  for (const auto& [name, us] : r.thread_cpu_us)
    if (us >= 0.05) out << "    " << name << ": " << us << " us cpu each\n";
}

}  // namespace

FabricBenchResult run_fabric_bench(const FabricBenchOptions& o, std::ostream& out) {
  if (!(o.seconds > 0) || o.seconds > 600) throw std::invalid_argument("--seconds must be in (0, 600]");
  if (o.window < 1 || o.window > 100000) throw std::invalid_argument("--window must be in [1, 100000]");
  if (o.payload < 64 || o.payload > (1 << 24)) throw std::invalid_argument("--payload must be in [64, 16 MiB]");
  if (o.workers < 1 || o.workers > 64) throw std::invalid_argument("--workers must be in [1, 64]");

  const std::size_t payload = TaskMaker(o.payload, bench_identity()).make().body.size();
  char line[200];
  std::snprintf(line, sizeof(line),
                "fabric bench: payload %zu B, window %d, %d workers, %.1f s per phase; client and workers "
                "reach the broker over %s",
                payload, o.window, o.workers, o.seconds, o.inproc ? "inproc (as bigpe run does)" : "tcp");
  out << line << std::endl;

  FabricBenchResult r;
  PhaseResult raw = raw_echo_rate(o, payload);
  r.raw_rate = raw.rate;
  std::snprintf(line, sizeof(line), "raw zmq echo:        %9.0f msg/s                 %6.1f us cpu each",
                raw.rate, raw.cpu_us);
  out << line << std::endl;
  print_threads(raw, o, out);

  PhaseResult fabric = fabric_rate(o, nullptr);
  r.broker_rate = fabric.rate;
  std::snprintf(line, sizeof(line), "broker + workers:    %9.0f tasks/s (%.2f of raw)  %6.1f us cpu each",
                fabric.rate, fabric.rate / raw.rate, fabric.cpu_us);
  out << line << std::endl;
  print_threads(fabric, o, out);

  char dir_template[] = "/tmp/bigpe-bench-redis-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("bench: cannot create a temp folder in /tmp");
  const std::string dir = dir_template;
  PhaseResult persisted;
  try {
    RedisServerOptions ro;
    ro.data_dir = dir + "/redis";
    RedisServer server(ro);
    RedisOptions redis = server.options();
    persisted = fabric_rate(o, &redis);
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  r.persisted_rate = persisted.rate;
  // redis-server's own CPU is another process's and not counted here.
  std::snprintf(line, sizeof(line), "persisted to redis:  %9.0f tasks/s (%.2f of raw)  %6.1f us cpu each (+ redis)",
                persisted.rate, r.ratio(), persisted.cpu_us);
  out << line << std::endl;
  print_threads(persisted, o, out);
  std::snprintf(line, sizeof(line), "ratio=%.3f", r.ratio());
  out << line << std::endl;
  return r;
}

}  // namespace bigpe::bench
