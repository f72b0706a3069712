// `bigpe worker`: one worker process (one per GPU) serving the broker until
// SIGINT or SIGTERM, then finishing its current batch and leaving cleanly.
// Exit status: 0 after a signal, 2 for a bad setup (Redis unreachable at
// start included), 3 for a stalled compute thread (--watchdog-exit), 4 when
// Redis stayed unreachable past --redis-wait-ms, 1 for any other failure.
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "common/text_util.h"
#include "worker/backend_factory.h"
#include "worker/worker.h"

namespace bigpe::cli {
namespace {

// What the flags set: the worker options themselves (so their defaults are
// WorkerOptions', i.e. schemas/protocol.h), plus what is not a worker
// option: the backend, the Redis URL and the key files, read when the
// command runs.
struct WorkerArgs {
  WorkerOptions options;  // the flags bind here
  std::string redis = "redis://127.0.0.1:6379";
  std::string backend = "sim";
  double sim_cost_ms = 0;
  std::string sim_vocabulary;
  std::string sim_hang_file;
  bool no_persist = false;
  std::string curve_key;    // our NAME.key
  std::string broker_key;   // the broker's NAME.pub
  std::string redis_password_file;
  std::string model_dir;         // torchscript-sd
  std::string scorer;            // --scorer a,b: "" = the backend's own (backend_factory.h)
  std::vector<std::string> scorer_model_dirs;  // the libtorch scorers' folders, one per family
  bool device_given = false;     // torch backends use "auto" unless --device is given
  // How long a lost Redis is waited for (a restart) before the worker leaves.
  std::chrono::milliseconds redis_wait = RedisOptions::kRestartWindow;
};

// Every missing folder is named at once, before anything loads: a launcher
// that restarts a worker missing one would otherwise see it exit over and
// over with only the first missing flag in its log. So are the problems of
// the scorer folders given (which serves which, from their manifests).
void check_model_folders(const WorkerArgs& args, const BackendSettings& backends) {
  if (args.backend != "torchscript-sd") return;
  std::string missing;
  if (args.model_dir.empty()) missing += " --model DIR (the exported SD model folder)";
  // The sim scorers need no folder; every libtorch one does (and the
  // backend's own, when none is named, is one).
  bool torch_scorer = args.scorer.empty();
  for (const std::string& name : split_commas(args.scorer))
    if (name != "sim" && name != "sim-judge") torch_scorer = true;
  if (torch_scorer && args.scorer_model_dirs.empty())
    missing += std::string(missing.empty() ? "" : " and") + " --scorer-model DIR (the exported HPS v2 folder)";
  std::string folders;
  if (!args.scorer_model_dirs.empty()) {
    try {
      scorer_model_folders(backends);
    } catch (const std::exception& e) {
      folders = e.what();
    }
  }
  if (!missing.empty())
    throw std::invalid_argument("--backend torchscript-sd renders and scores, so it needs" + missing +
                                "; see docs/models.md" + (folders.empty() ? "" : "; and " + folders));
  if (!folders.empty()) throw std::invalid_argument(folders);
}

void run_worker(const WorkerArgs& args) {
  WorkerOptions options = args.options;
  // A ceiling below the first backoff means "never longer than the first".
  options.reconnect_max = std::max(options.reconnect_initial, options.reconnect_max);
  options.persist = !args.no_persist;
  BackendSettings backends;
  backends.backend = args.backend;
  backends.sim_cost_ms = args.sim_cost_ms;
  backends.sim_vocabulary = args.sim_vocabulary;
  backends.sim_hang_file = args.sim_hang_file;
  backends.model_dir = args.model_dir;
  backends.scorer = args.scorer;
  backends.scorer_model_dirs = args.scorer_model_dirs;
  backends.device = args.device_given ? options.device : "auto";

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
    check_model_folders(args, backends);
    if (options.persist) {
      options.redis = RedisOptions::from_url(args.redis);
      if (!args.redis_password_file.empty())
        options.redis.password = RedisOptions::read_password_file(args.redis_password_file);
      // A restarting Redis fails no task: the worker waits for it.
      options.redis.reconnect_window = args.redis_wait;
    }
    options.curve = broker::load_curve_client_keys(args.curve_key, args.broker_key);
    worker = std::make_unique<Worker>(options, make_renderer(backends), make_scorers(backends));
  } catch (const std::exception& e) {
    spdlog::error("worker: cannot start: {}", e.what());
    throw CommandExit{2};
  }
  std::printf("worker id=%s broker=%s\n", worker->worker_id().c_str(), options.broker_endpoint.c_str());
  std::fflush(stdout);

  std::atomic<bool> finished{false};
  std::string failure;
  bool redis_lost = false;
  std::thread loop([&] {
    try {
      worker->run();
    } catch (const WorkerRedisLost& e) {
      failure = e.what();
      redis_lost = true;
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
  if (redis_lost) {
    // The reason is in the compute thread's line above.
    spdlog::error("worker {}: exiting with status {} (lost Redis), for a supervisor to restart it once Redis is back",
                  worker->worker_id(), kRedisLostExitCode);
    throw CommandExit{kRedisLostExitCode};
  }
  if (!failure.empty()) {
    spdlog::error("worker: {}", failure);
    throw CommandExit{1};
  }
}

}  // namespace

void register_worker_command(CLI::App& app) {
  auto args = std::make_shared<WorkerArgs>();
  // WorkerOptions has no default broker (a library caller must name one);
  // the command's default is the broker command's default worker endpoint.
  args->options.broker_endpoint = "tcp://127.0.0.1:5556";
  CLI::App* cmd = app.add_subcommand("worker", "Run a render worker (one per GPU) for the broker");
  cmd->add_option("--broker", args->options.broker_endpoint, "Broker endpoint for workers")->capture_default_str();
  cmd->add_option("--redis", args->redis, "Result store, redis://[:password@]host[:port][/db]")
      ->capture_default_str();
  cmd->add_option("--service", args->options.services, "Service (model profile) to serve; repeatable")
      ->required();
  cmd->add_option("--backend", args->backend, "Renderer and scorer backend")
      ->check(CLI::IsMember({"sim", "torchscript-sd"}))
      ->capture_default_str();
  cmd->add_option("--slots", args->options.slots, "Tasks held at once")->check(CLI::Range(1, schemas::kMaxSlots))->capture_default_str();
  cmd->add_option("--worker-id", args->options.worker_id, "Worker id (default <host>-<pid>-<random>)");
  CLI::Option* device = cmd->add_option("--device", args->options.device,
                                        "Device reported to the broker; torch backends run on it (default there: auto)")
                            ->capture_default_str();
  cmd->add_option("--model", args->model_dir, "torchscript-sd: model folder (docs/models.md)");
  cmd->add_option("--scorer", args->scorer,
                  "Scorers, comma-separated: sim, sim-judge (the sim-v1 held-out judge), hpsv2, pickscore, "
                  "aesthetic. Every image gets each one's score, the first one's is its `score` (default: the "
                  "backend's own: sim for sim; for torchscript-sd the families of the --scorer-model folders, in "
                  "their order)");
  cmd->add_option("--scorer-model", args->scorer_model_dirs,
                  "Libtorch scorer (hpsv2, pickscore, aesthetic): model folder; repeatable, one per scorer, each "
                  "serving the scorer of its manifest's family (docs/models.md)");
  cmd->add_option("--artifacts", args->options.artifact_dir, "Folder for rendered images (default: none)");
  cmd->add_option("--sim-cost-ms", args->sim_cost_ms, "Sim renderer: milliseconds per image")
      ->check(CLI::Range(0.0, 3600000.0))
      ->capture_default_str();
  cmd->add_option("--sim-vocabulary", args->sim_vocabulary, "Sim scorer vocabulary file");
  cmd->add_option("--sim-hang-file", args->sim_hang_file,
                  "Fault injection: sim batches that start while this file exists hang until it is removed");
  cmd->add_option_function<int64_t>(
         "--watchdog-ms", [args](int64_t ms) { args->options.watchdog = std::chrono::milliseconds(ms); },
         "A batch running longer is reported stalled in heartbeats (bigpe status)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->default_str(std::to_string(args->options.watchdog.count()));
  cmd->add_flag("--watchdog-exit", args->options.watchdog_exit,
                "On a stall, leave the broker and exit with status 3, for a supervisor to restart the worker");
  // CLI11 reads no std::chrono type, so the durations go through their count.
  cmd->add_option_function<int>(
         "--heartbeat-ms", [args](int ms) { args->options.heartbeat_interval = std::chrono::milliseconds(ms); },
         "Heartbeat interval in milliseconds")
      ->check(CLI::Range(1, 3600000))
      ->default_str(std::to_string(args->options.heartbeat_interval.count()));
  cmd->add_option("--liveness", args->options.liveness, "Missed heartbeats before the broker is dead")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option_function<int>(
         "--reconnect-ms", [args](int ms) { args->options.reconnect_initial = std::chrono::milliseconds(ms); },
         "First reconnect backoff (doubles)")
      ->check(CLI::Range(1, 3600000))
      ->default_str(std::to_string(args->options.reconnect_initial.count()));
  cmd->add_option_function<int>(
         "--reconnect-max-ms", [args](int ms) { args->options.reconnect_max = std::chrono::milliseconds(ms); },
         "Longest reconnect backoff")
      ->check(CLI::Range(1, 3600000))
      ->default_str(std::to_string(args->options.reconnect_max.count()));
  cmd->add_option("--max-prompt-chars", args->options.max_prompt_chars,
                  "Refuse tasks with a longer prompt (characters; 0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--curve-key", args->curve_key, "CURVE: this worker's secret key file (bigpe keygen)");
  cmd->add_option("--broker-key", args->broker_key, "CURVE: the broker's public key file");
  cmd->add_option("--redis-password-file", args->redis_password_file,
                  "Redis AUTH password: first line of this file (or env BIGPE_REDIS_PASSWORD[_FILE])");
  cmd->add_flag("--no-persist", args->no_persist, "Don't use Redis (no cache, results not stored)");
  cmd->add_option_function<int64_t>(
         "--redis-wait-ms", [args](int64_t ms) { args->redis_wait = std::chrono::milliseconds(ms); },
         "How long an unreachable Redis is waited for before the worker leaves and exits with status 4")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->default_str(std::to_string(args->redis_wait.count()));
  cmd->callback([args, device] {
    args->device_given = device->count() > 0;
    run_worker(*args);
  });
}

}  // namespace bigpe::cli
