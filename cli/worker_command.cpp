// `bigpe worker`: one worker process (one per GPU) serving the broker until
// SIGINT or SIGTERM, then finishing its current batch and leaving cleanly.
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "worker/backend_factory.h"
#include "worker/worker.h"

namespace bigpe::cli {
namespace {

struct WorkerArgs {
  std::string broker = "tcp://127.0.0.1:5556";
  std::string redis = "redis://127.0.0.1:6379";
  std::vector<std::string> services;
  std::string backend = "sim";
  int slots = 2;
  std::string worker_id;
  std::string artifacts;
  double sim_cost_ms = 0;
  std::string sim_vocabulary;
  int heartbeat_ms = 1000;
  int liveness = 5;
  int reconnect_ms = 1000;
  int reconnect_max_ms = 32000;
  bool no_persist = false;
  std::string device = "cpu";
  std::size_t max_prompt_chars = kDefaultMaxPromptChars;
  std::string curve_key;    // our NAME.key
  std::string broker_key;   // the broker's NAME.pub
  std::string redis_password_file;
  std::string model_dir;         // torchscript-sd
  std::string scorer_model_dir;  // hpsv2
  bool device_given = false;     // torch backends use "auto" unless --device is given
};

void run_worker(const WorkerArgs& args) {
  WorkerOptions options;
  options.broker_endpoint = args.broker;
  options.services = args.services;
  options.slots = args.slots;
  options.worker_id = args.worker_id;
  options.device = args.device;
  options.artifact_dir = args.artifacts;
  options.heartbeat_interval = std::chrono::milliseconds(args.heartbeat_ms);
  options.liveness = args.liveness;
  options.reconnect_initial = std::chrono::milliseconds(args.reconnect_ms);
  options.reconnect_max = std::chrono::milliseconds(std::max(args.reconnect_ms, args.reconnect_max_ms));
  options.persist = !args.no_persist;
  options.max_prompt_chars = args.max_prompt_chars;
  BackendSettings backends;
  backends.backend = args.backend;
  backends.sim_cost_ms = args.sim_cost_ms;
  backends.sim_vocabulary = args.sim_vocabulary;
  backends.model_dir = args.model_dir;
  backends.scorer_model_dir = args.scorer_model_dir;
  backends.device = args.device_given ? args.device : "auto";

  // Signals are taken by sigtimedwait on this thread, not by a handler,
  // because Worker::stop() is not async-signal-safe. Blocked before any
  // thread starts, so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<Worker> worker;
  try {
    if (options.persist) {
      options.redis = RedisOptions::from_url(args.redis);
      if (!args.redis_password_file.empty())
        options.redis.password = RedisOptions::read_password_file(args.redis_password_file);
      // A restarting Redis fails no task: the worker waits for it.
      options.redis.reconnect_window = std::chrono::seconds(20);
    }
    options.curve = broker::load_curve_client_keys(args.curve_key, args.broker_key);
    worker = std::make_unique<Worker>(options, make_renderer(backends), make_scorer(backends));
  } catch (const std::exception& e) {
    spdlog::error("worker: {}", e.what());
    throw CommandExit{2};
  }
  std::printf("worker id=%s broker=%s\n", worker->worker_id().c_str(), args.broker.c_str());
  std::fflush(stdout);

  std::atomic<bool> finished{false};
  std::string failure;
  std::thread loop([&] {
    try {
      worker->run();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    finished = true;
  });
  // Poll for a signal so that a run() that ends on its own also ends us.
  const timespec tick{0, 200 * 1000 * 1000};
  while (!finished) {
    int signal = sigtimedwait(&signals, nullptr, &tick);
    if (signal > 0) {
      spdlog::info("worker: signal {} received, stopping", signal);
      worker->stop();
      break;
    }
  }
  loop.join();
  Worker::Stats s = worker->stats();
  spdlog::info("worker {}: {} tasks, {} items, {} renders, {} cache hits, {} failures",
               worker->worker_id(), s.tasks, s.items, s.renders, s.cache_hits, s.failures);
  if (!failure.empty()) {
    spdlog::error("worker: {}", failure);
    throw CommandExit{1};
  }
}

}  // namespace

void register_worker_command(CLI::App& app) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App* cmd = app.add_subcommand("worker", "Run a render worker (one per GPU) for the broker");
  cmd->add_option("--broker", args->broker, "Broker endpoint for workers")->capture_default_str();
  cmd->add_option("--redis", args->redis, "Result store, redis://[:password@]host[:port][/db]")
      ->capture_default_str();
  cmd->add_option("--service", args->services, "Service (model profile) to serve; repeatable")
      ->required();
  cmd->add_option("--backend", args->backend, "Renderer and scorer backend")
      ->check(CLI::IsMember({"sim", "torchscript-sd"}))
      ->capture_default_str();
  cmd->add_option("--slots", args->slots, "Tasks held at once")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->add_option("--worker-id", args->worker_id, "Worker id (default <host>-<pid>-<random>)");
  CLI::Option* device = cmd->add_option("--device", args->device,
                                        "Device reported to the broker; torch backends run on it (default there: auto)")
                            ->capture_default_str();
  cmd->add_option("--model", args->model_dir, "torchscript-sd: model folder (docs/models.md)");
  cmd->add_option("--scorer-model", args->scorer_model_dir, "hpsv2 scorer: model folder (docs/models.md)");
  cmd->add_option("--artifacts", args->artifacts, "Folder for rendered images (default: none)");
  cmd->add_option("--sim-cost-ms", args->sim_cost_ms, "Sim renderer: milliseconds per image")
      ->check(CLI::Range(0.0, 3600000.0))
      ->capture_default_str();
  cmd->add_option("--sim-vocabulary", args->sim_vocabulary, "Sim scorer vocabulary file");
  cmd->add_option("--heartbeat-ms", args->heartbeat_ms, "Heartbeat interval in milliseconds")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  cmd->add_option("--liveness", args->liveness, "Missed heartbeats before the broker is dead")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--reconnect-ms", args->reconnect_ms, "First reconnect backoff (doubles)")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  cmd->add_option("--reconnect-max-ms", args->reconnect_max_ms, "Longest reconnect backoff")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  cmd->add_option("--max-prompt-chars", args->max_prompt_chars,
                  "Refuse tasks with a longer prompt (characters; 0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--curve-key", args->curve_key, "CURVE: this worker's secret key file (bigpe keygen)");
  cmd->add_option("--broker-key", args->broker_key, "CURVE: the broker's public key file");
  cmd->add_option("--redis-password-file", args->redis_password_file,
                  "Redis AUTH password: first line of this file (or env BIGPE_REDIS_PASSWORD[_FILE])");
  cmd->add_flag("--no-persist", args->no_persist, "Don't use Redis (no cache, results not stored)");
  cmd->callback([args, device] {
    args->device_given = device->count() > 0;
    run_worker(*args);
  });
}

}  // namespace bigpe::cli
