#include "tests/fault/support/fault_cluster.h"

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/free_port.h"

namespace bigpe::testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail(const std::string& text, std::size_t bytes = 2500) {
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace

FaultCluster::FaultCluster(ClusterOptions options) : options_(std::move(options)) {
  RedisServerOptions ro;
  ro.data_dir = path("redis");
  // The suite checks what bigpe loses, so Redis must lose nothing it
  // acknowledged: under everysec, while a background fsync is slow (a
  // loaded disk), Redis postpones writing its append-only file for up to
  // 2 s yet still answers, and a SIGKILL then loses those writes (seen as
  // a faulted run with two stored results fewer; docs/reliability.md).
  ro.fsync_always = true;
  redis_ = std::make_unique<RedisServer>(ro);
  client_endpoint_ = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
  worker_endpoint_ = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
  start_broker();
  workers_.resize(static_cast<std::size_t>(options_.workers));
  worker_runs_.assign(workers_.size(), 0);
  worker_ids_.assign(workers_.size(), "");
  for (int i = 0; i < options_.workers; ++i) start_worker(i);
  broker::BrokerClientOptions co;
  co.heartbeat_interval = std::chrono::milliseconds(options_.heartbeat_ms);
  // It only asks for STATUS now and then: its silence between questions is
  // not the broker's, and libzmq reconnects it to a restarted broker.
  co.liveness = 1000000;
  status_client_ = std::make_unique<broker::BrokerClient>(client_endpoint_, "fault-driver", co);
}

FaultCluster::~FaultCluster() {
  status_client_.reset();
  if (scheduler_) scheduler_->kill();
  for (auto& w : workers_) {
    if (!w) continue;
    w->send_signal(SIGCONT);
    w->terminate(std::chrono::milliseconds(3000));
  }
  if (broker_) broker_->terminate(std::chrono::milliseconds(3000));
  redis_.reset();
}

void FaultCluster::start_broker(const std::map<std::string, std::string>& env) {
  ChildProcessOptions o;
  o.env = env;
  o.argv = {BIGPE_EXE, "--log-level", "info", "broker", "--clients", client_endpoint_,
            "--workers", worker_endpoint_, "--heartbeat-ms", std::to_string(options_.heartbeat_ms),
            "--liveness", std::to_string(options_.liveness)};
  if (options_.task_lease_ms > 0)
    o.argv.insert(o.argv.end(), {"--task-lease-ms", std::to_string(options_.task_lease_ms)});
  o.stdout_path = o.stderr_path = path("broker" + std::to_string(broker_runs_++) + ".log");
  broker_ = std::make_unique<ChildProcess>(o);
}

std::string FaultCluster::broker_log() const {
  return read_all(path("broker" + std::to_string(broker_runs_ - 1) + ".log"));
}

std::string FaultCluster::worker_log(int index) const {
  return read_all(path(worker_id(index) + ".log"));
}

void FaultCluster::kill_broker() {
  if (broker_) broker_->kill();
}

long long FaultCluster::requeued_by_brokers() const {
  static const std::regex requeue("requeueing ([0-9]+) tasks");
  long long total = 0;
  for (int r = 0; r < broker_runs_; ++r) {
    const std::string log = read_all(path("broker" + std::to_string(r) + ".log"));
    for (std::sregex_iterator it(log.begin(), log.end(), requeue), end; it != end; ++it)
      total += std::stoll((*it)[1].str());
  }
  return total;
}

std::optional<schemas::StatusReply> FaultCluster::status(std::chrono::milliseconds timeout) {
  try {
    return status_client_->status(timeout);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void FaultCluster::start_worker(int index) {
  auto& slot = workers_.at(static_cast<std::size_t>(index));
  if (slot) slot->kill();
  const std::string id = "w" + std::to_string(index) + "-" + std::to_string(worker_runs_[index]++);
  ChildProcessOptions o;
  o.argv = {BIGPE_EXE, "--log-level", "info", "worker", "--broker", worker_endpoint_,
            "--redis", redis_->url(), "--service", "sim", "--backend", "sim",
            "--worker-id", id, "--slots", std::to_string(options_.slots),
            "--sim-cost-ms", std::to_string(options_.sim_cost_ms),
            "--heartbeat-ms", std::to_string(options_.heartbeat_ms),
            "--liveness", std::to_string(options_.liveness),
            "--reconnect-ms", "100", "--reconnect-max-ms", "400"};
  if (options_.task_lease_ms > 0 || options_.hang_files)
    o.argv.insert(o.argv.end(), {"--sim-hang-file", hang_file(index)});
  if (options_.worker_redis_wait_ms > 0)
    o.argv.insert(o.argv.end(), {"--redis-wait-ms", std::to_string(options_.worker_redis_wait_ms)});
  o.stdout_path = o.stderr_path = path(id + ".log");
  slot = std::make_unique<ChildProcess>(o);
  worker_ids_[static_cast<std::size_t>(index)] = id;
}

bool FaultCluster::broker_removed(const std::string& worker_id) const {
  const std::string log = broker_log();
  return log.find("worker " + worker_id + " (" + worker_id + ") removed") != std::string::npos;
}

bool FaultCluster::lease_expired(const std::string& worker_id) const {
  const std::string log = broker_log();
  return log.find("on worker " + worker_id + " expired") != std::string::npos;
}

void FaultCluster::start_scheduler(const std::vector<std::string>& args, const std::string& log) {
  ChildProcessOptions o;
  o.argv = {BIGPE_EXE, "--log-level", "info"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.stdout_path = o.stderr_path = log;
  o.working_dir = BIGPE_SOURCE_DIR;
  scheduler_log_ = log;
  scheduler_ = std::make_unique<ChildProcess>(o);
}

std::string FaultCluster::diagnostics() const {
  std::string out;
  if (!scheduler_log_.empty()) out += "--- scheduler\n" + tail(read_all(scheduler_log_)) + "\n";
  out += "--- broker" + std::to_string(broker_runs_ - 1) + "\n" +
         tail(read_all(path("broker" + std::to_string(broker_runs_ - 1) + ".log"))) + "\n";
  return out;
}

}  // namespace bigpe::testing
