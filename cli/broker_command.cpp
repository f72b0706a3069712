// `bigpe broker`: runs the broker in the foreground until SIGINT or SIGTERM.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "broker/broker.h"
#include "cli/commands.h"

namespace bigpe::cli {
namespace {

// What the flags set: the broker options themselves (so their defaults are
// BrokerOptions', i.e. schemas/protocol.h), plus the CURVE key files, which
// are read into options.curve when the command runs.
struct BrokerArgs {
  broker::BrokerOptions options;  // the flags bind here; defaults are the struct's
  std::string curve_secret;                // the broker's NAME.key
  std::vector<std::string> allow_clients;  // .pub files or folders of them
  std::vector<std::string> allow_workers;
};

void run_broker(const BrokerArgs& args) {
  broker::BrokerOptions options = args.options;
  if (!args.curve_secret.empty()) {
    try {
      options.curve.secret_key = broker::read_curve_key(args.curve_secret);
      options.curve.client_keys = broker::read_curve_public_keys(args.allow_clients);
      options.curve.worker_keys = broker::read_curve_public_keys(args.allow_workers);
    } catch (const std::exception& e) {
      spdlog::error("broker: {}", e.what());
      throw CommandExit{2};
    }
    spdlog::info("broker: CURVE on; {} client keys and {} worker keys allowed", options.curve.client_keys.size(),
                 options.curve.worker_keys.size());
  } else if (!args.allow_clients.empty() || !args.allow_workers.empty()) {
    spdlog::error("broker: --allow-client/--allow-worker need --curve-secret");
    throw CommandExit{2};
  }

  // Signals are taken synchronously by this thread (sigwait) rather than by
  // a handler, because Broker::stop() is not async-signal-safe. Block them
  // before starting the loop thread so that it inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<broker::Broker> broker;
  try {
    broker = std::make_unique<broker::Broker>(options);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    throw CommandExit{2};
  }
  // Machine-readable line for scripts that start a broker on port 0.
  std::printf("broker clients=%s workers=%s id=%s\n", broker->client_endpoint().c_str(),
              broker->worker_endpoint().c_str(), broker->instance_id().c_str());
  std::fflush(stdout);

  // The loop's failure ends the process with a line and status 1 (for a
  // supervisor to restart it), not std::terminate: it wakes the sigwait.
  std::string failure;
  std::atomic<bool> failed{false};
  const pthread_t main_thread = pthread_self();
  std::thread loop([&] {
    try {
      broker->run();
    } catch (const std::exception& e) {
      failure = e.what();
      failed = true;
      pthread_kill(main_thread, SIGTERM);
    }
  });
  int signal = 0;
  sigwait(&signals, &signal);
  if (!failed) spdlog::info("broker: signal {} received, stopping", signal);
  broker->stop();
  loop.join();
  if (failed) {
    spdlog::error("broker {}: stopped: {}; its clients resubmit to the broker that replaces it", broker->instance_id(),
                  failure);
    throw CommandExit{1};
  }
}

}  // namespace

void register_broker_command(CLI::App& app) {
  auto args = std::make_shared<BrokerArgs>();
  CLI::App* cmd = app.add_subcommand("broker", "Run the task broker between schedulers and workers");
  cmd->add_option("--clients", args->options.client_endpoint, "Endpoint for schedulers (ROUTER bind)")->capture_default_str();
  cmd->add_option("--workers", args->options.worker_endpoint, "Endpoint for workers (ROUTER bind)")->capture_default_str();
  // CLI11 reads no std::chrono type, so the interval goes through its count.
  cmd->add_option_function<int>(
         "--heartbeat-ms",
         [args](int ms) { args->options.heartbeat_interval = std::chrono::milliseconds(ms); },
         "Heartbeat interval in milliseconds")
      ->check(CLI::Range(1, 3600000))
      ->default_str(std::to_string(args->options.heartbeat_interval.count()));
  cmd->add_option("--liveness", args->options.liveness, "Missed heartbeats before a peer is dead")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--max-attempts", args->options.max_attempts, "Attempts before a task is FAILED")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option_function<int64_t>(
         "--task-lease-ms",
         [args](int64_t ms) { args->options.task_lease = std::chrono::milliseconds(ms); },
         "A task held longer by a worker goes elsewhere (SUBMIT lease_ms overrides per task)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->default_str(std::to_string(args->options.task_lease.count()));
  cmd->add_option("--suspect-after", args->options.suspect_after,
                  "Expired leases without a RESULT before a worker gets no new work")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--max-message-bytes", args->options.max_message_bytes,
                  "Largest frame accepted; a peer sending a bigger one is disconnected")
      ->check(CLI::Range(int64_t{1024}, int64_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--max-tasks", args->options.max_tasks, "Tasks held at most; beyond, SUBMIT gets FAILED (queue full)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--curve-secret", args->curve_secret,
                  "Enable CURVE: the broker's secret key file (bigpe keygen); only listed peers get in");
  cmd->add_option("--allow-client", args->allow_clients, "Client public key file, or a folder of *.pub; repeatable");
  cmd->add_option("--allow-worker", args->allow_workers, "Worker public key file, or a folder of *.pub; repeatable");
  cmd->callback([args] { run_broker(*args); });
}

}  // namespace bigpe::cli
