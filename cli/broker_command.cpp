// `bigpe broker`: runs the broker in the foreground until SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>

#include <spdlog/spdlog.h>

#include "broker/broker.h"
#include "cli/commands.h"

namespace bigpe::cli {
namespace {

struct BrokerArgs {
  std::string clients = "tcp://127.0.0.1:5555";
  std::string workers = "tcp://127.0.0.1:5556";
  int heartbeat_ms = 1000;
  int liveness = 5;
  int max_attempts = 3;
  int64_t max_message_bytes = 64 << 20;
  std::size_t max_tasks = 2000000;
  std::string curve_secret;                // the broker's NAME.key
  std::vector<std::string> allow_clients;  // .pub files or folders of them
  std::vector<std::string> allow_workers;
};

void run_broker(const BrokerArgs& args) {
  broker::BrokerOptions options;
  options.client_endpoint = args.clients;
  options.worker_endpoint = args.workers;
  options.heartbeat_interval = std::chrono::milliseconds(args.heartbeat_ms);
  options.liveness = args.liveness;
  options.max_attempts = args.max_attempts;
  options.max_message_bytes = args.max_message_bytes;
  options.max_tasks = args.max_tasks;
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

  std::thread loop([&] { broker->run(); });
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("broker: signal {} received, stopping", signal);
  broker->stop();
  loop.join();
}

}  // namespace

void register_broker_command(CLI::App& app) {
  auto args = std::make_shared<BrokerArgs>();
  CLI::App* cmd = app.add_subcommand("broker", "Run the task broker between schedulers and workers");
  cmd->add_option("--clients", args->clients, "Endpoint for schedulers (ROUTER bind)")->capture_default_str();
  cmd->add_option("--workers", args->workers, "Endpoint for workers (ROUTER bind)")->capture_default_str();
  cmd->add_option("--heartbeat-ms", args->heartbeat_ms, "Heartbeat interval in milliseconds")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  cmd->add_option("--liveness", args->liveness, "Missed heartbeats before a peer is dead")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--max-attempts", args->max_attempts, "Attempts before a task is FAILED")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--max-message-bytes", args->max_message_bytes,
                  "Largest frame accepted; a peer sending a bigger one is disconnected")
      ->check(CLI::Range(int64_t{1024}, int64_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--max-tasks", args->max_tasks, "Tasks held at most; beyond, SUBMIT gets FAILED (queue full)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--curve-secret", args->curve_secret,
                  "Enable CURVE: the broker's secret key file (bigpe keygen); only listed peers get in");
  cmd->add_option("--allow-client", args->allow_clients, "Client public key file, or a folder of *.pub; repeatable");
  cmd->add_option("--allow-worker", args->allow_workers, "Worker public key file, or a folder of *.pub; repeatable");
  cmd->callback([args] { run_broker(*args); });
}

}  // namespace bigpe::cli
