#include "scheduler/run/experiment_runner.h"
#include "scheduler/serve/web_server.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>

#include "broker/broker_client.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/engine/iteration_boundary.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/run/backend_identity_check.h"
#include "scheduler/run/console_log.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/run/experiment_wiring.h"
#include "scheduler/run/infrastructure.h"
#include "scheduler/run/line_sink.h"
#include "scheduler/run/render_params_check.h"
#include "scheduler/run/timeline_trace.h"
#include "common/interrupt.h"
#include "common/unix_time.h"
#include "scheduler/store/live_endpoints.h"
#include "scheduler/engine/optimization_loop.h"
#include "scheduler/engine/paper_loop.h"
#include "scheduler/report/progress_line.h"
#include "scheduler/render/render_dispatcher.h"
#include "scheduler/report/report.h"
#include "scheduler/report/scored_only_text.h"
#include "scheduler/store/run_folder.h"
#include "scheduler/store/run_lock.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string join_keys(const std::vector<std::string>& keys, const Config& a, const Config& b) {
  std::string out;
  for (const std::string& k : keys)
    out += "\n  " + k + ": stored '" + a.values().at(k) + "', now '" + b.values().at(k) + "'";
  return out;
}

// The keys a resume may change while the experiment has committed nothing:
// params its workers refused before any render (render_params_check.h).
// Their cache keys differ, so no result of the old params is ever used.
bool refused_params_only(const std::vector<std::string>& keys) {
  static const std::set<std::string> params = {"render.steps", "render.guidance", "render.width", "render.height",
                                               "render.sampler", "render.negative"};
  for (const std::string& k : keys)
    if (params.count(k) == 0) return false;
  return !keys.empty();
}

bool nothing_committed(StateStore& store) {
  std::optional<ExperimentState> state = store.load_state();
  return !state || (state->next_iteration == 0 && !state->evaluated && state->renders_done == 0 &&
                    state->renders_cached == 0 && state->renders_scored == 0);
}

// Records a new experiment, or checks that a stored one has the same
// meaning as the config it is resumed with.
void record_or_check(StateStore& store, const ExperimentJob& job, const std::string& hash, std::ostream& out) {
  if (job.fresh && !store.exists()) {  // fresh: may be created (a campaign's jobs always are)
    store.create(job.config.values(), hash);
    if (!job.campaign_id.empty())
      store.set_meta({{"campaign_id", job.campaign_id},
                      {"variant", job.variant},
                      {"repeat", std::to_string(job.repeat)}});
    return;
  }
  Config stored = Config::from_values(store.load_config_values(), experiment_schema(),
                                      "stored config of " + job.experiment_id);
  std::vector<std::string> diff = stored.result_affecting_differences(job.config);
  if (job.campaign_id.empty() && refused_params_only(diff) && nothing_committed(store)) {
    store.replace_config(job.config.values(), hash);
    RunFile rf = read_run_file(job.run_dir);
    rf.values = job.config.values();
    write_run_file(job.run_dir, rf);
    out << "experiment " << job.experiment_id << " committed nothing yet: its render params change"
        << join_keys(diff, stored, job.config) << "\n";
    return;
  }
  if (!diff.empty())
    throw Refused("experiment " + job.experiment_id + ": the config changes the experiment's meaning; "
                  "refusing to resume. Keys that differ:" + join_keys(diff, stored, job.config));
}

void print_indented(std::ostream& out, const std::string& text) {
  out << "  ";
  for (char c : text) out << (c == '\n' ? std::string("\n  ") : std::string(1, c));
}

// The loop, the evaluation and the reports of a recorded experiment.
// Throws on failure; the caller records the reason.
void run_recorded(const ExperimentJob& job, const ExperimentSettings& s, const std::string& hash,
                  Infrastructure& infra, RedisClient& redis, StateStore& store, std::ostream& out) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string& id = job.experiment_id;
  std::unique_ptr<TimelineTrace> trace;
  if (s.timeline) trace = std::make_unique<TimelineTrace>((fs::path(job.run_dir) / "timeline.jsonl").string());
  ExperimentWiring wiring(s, infra.redis(), trace.get());
  auto client = infra.connect_client("scheduler-" + id, broker_client_options(s));
  const std::string identity = check_backend_identity(s, wiring.vocabulary, infra, *client, &store, out);
  check_render_params(job.config, s, worker_limits(s, identity, infra, *client),
                      job.campaign_id.empty() ? "bigpe resume " + job.run_dir : "");
  DispatchSettings dispatch = dispatch_settings(s, id, identity);
  dispatch.dependency_lost = [&infra] { return infra.failure(); };
  if (trace)
    dispatch.on_rendered = [t = trace.get()](const std::string& worker, double busy_ms) {
      const double now = unix_seconds();
      t->record("worker:" + worker, "render", now - busy_ms / 1000.0, now);
    };
  RenderDispatcher dispatcher(*client, redis, dispatch);

  EngineContext ctx{s, id, wiring.split, wiring.prodb, *wiring.generator, *wiring.gradient,
                    *wiring.modifier, dispatcher, &store};
  ExperimentState state = store.load_state().value_or(ExperimentState{});
  seed_pool(state, s.initial_instruction);
  if (!job.fresh || state.next_iteration > 0)
    out << "resuming " << id
        << (state.finished ? " after its " + std::to_string(s.iterations) + " iterations"
                           : " at iteration " + std::to_string(state.next_iteration + 1) + "/" +
                                 std::to_string(s.iterations))
        << "\n";
  out << "experiment " << id << " (" << s.loop << " loop, " << s.selector.kind << ", batch " << s.batch_size
      << ", " << s.iterations << " iterations) -> " << job.run_dir << "\n";
  out.flush();

  std::unique_ptr<OptimizationLoop> loop = make_loop(ctx);
  const long evaluation_renders = s.eval_enabled && !state.evaluated ? evaluation_render_count(ctx) : 0;
  ProgressLine progress(s.iterations, state, evaluation_renders);
  const int first_iteration = state.next_iteration;
  const auto loop_start = std::chrono::steady_clock::now();
  const double loop_start_unix_s = unix_seconds();
  const double busy_before = dispatcher.busy_ms(), wait_before = dispatcher.wait_ms();
  std::vector<IterationTiming> iteration_timing;
  // Latency drawn before the loop (none today) is not an iteration's.
  if (wiring.sim_latency) wiring.sim_latency->take_stats();
  while (!state.finished) {
    if (interrupted()) throw Interrupted();
    if (std::string why = infra.failure(); !why.empty()) throw std::runtime_error(why);
    const auto iteration_start = std::chrono::steady_clock::now();
    const double iteration_busy_before = dispatcher.busy_ms();
    const double iteration_start_unix_s = unix_seconds();
    const int iteration = state.next_iteration;
    loop->run_iteration(state);
    if (trace) trace->record("loop", "iteration " + std::to_string(iteration + 1), iteration_start_unix_s, unix_seconds());
    IterationTiming timing;
    timing.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - iteration_start).count();
    timing.worker_busy_s = (dispatcher.busy_ms() - iteration_busy_before) / 1000.0;
    if (wiring.sim_latency) timing.llm = wiring.sim_latency->take_stats();
    iteration_timing.push_back(std::move(timing));
    out << progress.line(state) << "\n";
    out.flush();
  }
  const double loop_end_unix_s = unix_seconds();
  const double loop_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
  const double worker_busy_s = (dispatcher.busy_ms() - busy_before) / 1000.0;
  const double scheduler_s = loop_wall_s - (dispatcher.wait_ms() - wait_before) / 1000.0;

  std::optional<EvaluationResult> eval;
  if (s.eval_enabled) {
    if (state.evaluated) {
      if (auto bytes = store.load_evaluation()) eval = decode_evaluation(*bytes);
    }
    if (!eval) {
      // The ETA is priced from this process's renders (none on a resume
      // that starts at the evaluation: then none is shown).
      char eta[48] = "";
      if (const double e = progress.evaluation_eta(state); e > 0) std::snprintf(eta, sizeof eta, ", eta %.1fs", e);
      out << "evaluating on " << ctx.queries.heldout.size() << " held-out queries x " << s.eval_seeds << " seeds ("
          << evaluation_renders << " renders" << eta << ")...\n";
      out.flush();
      const RenderCounts renders_before = dispatcher.counts();
      const std::map<std::string, AgentTally> llm_before = agent_tallies(ctx);
      eval = evaluate(ctx, state.instructions.at(state.final_id).text);
      add_renders(state, dispatcher.counts() - renders_before);
      add_llm(state, tallies_since(llm_before, agent_tallies(ctx)));
      state.evaluated = true;
      store.commit_evaluation(state, encode_evaluation(*eval), {{"type", "evaluation"}});
    }
  }
  // A signal during the evaluation's last renders stops here, with the
  // evaluation committed: the resume only writes the reports.
  if (interrupted()) throw Interrupted();

  ReportInput ri{id, hash, &s, &state, eval ? &*eval : nullptr, job.run_dir};
  ri.loop_wall_s = loop_wall_s;
  ri.worker_busy_s = worker_busy_s;
  ri.scheduler_s = scheduler_s;
  ri.loop_iterations = state.next_iteration - first_iteration;
  ri.loop_start_unix_s = loop_start_unix_s;
  ri.loop_end_unix_s = loop_end_unix_s;
  ri.iteration_timing = std::move(iteration_timing);
  ri.llm_server_concurrency = wiring.sim_latency ? wiring.sim_latency->server_concurrency() : 0;
  write_reports(ri);
  store.set_status("finished", "");
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << "\nfinal instruction (" << state.final_id << "):\n";
  print_indented(out, state.instructions.at(state.final_id).text);
  out << "\n\n";
  if (eval)
    out << "held-out evaluation (" << eval->queries.size() << " queries x " << eval->seeds << " seeds):\n"
        << result_table(*eval) << "\n";
  char tail[64];
  std::snprintf(tail, sizeof tail, "; %.1f s; report: ", elapsed);
  out << "renders: " << state.renders_done << " done, " << state.renders_cached << " cached"
      << scored_only_text(state.renders_scored) << tail << job.run_dir << "/report.md\n";
}

// Starts the run folder's own services (holding its lock, advertising them
// in live.json) and runs the job over them. Everything it prints from here
// on also goes to the folder's console.log. `command`: "bigpe run" or
// "bigpe resume", the prefix of its errors and the log's session line.
RunOutcome execute_alone(const ExperimentJob& job, const std::string& command, std::ostream& console) {
  install_interrupt_handlers();
  RunLock lock = RunLock::acquire(job.run_dir);
  ConsoleLog log(job.run_dir, command, ConsoleLog::Scope::kProcess);
  LineSink out([&](const std::string& line) {
    console << line << "\n";
    console.flush();
    log.line(line);
  });
  try {
    const ExperimentSettings s = settings_from(job.config);
    // Absolute, so the image paths stored with results stay valid from any
    // working directory.
    Infrastructure infra(s, fs::absolute(job.run_dir).string());
    LiveEndpointsFile live(job.run_dir, {infra.redis().url_without_password(), infra.client_endpoint(),
                                         static_cast<long>(::getpid())});
    std::unique_ptr<serve::WebServer> web;
    if (s.serve) {
      serve::ServeOptions o;
      o.listen = s.serve_listen;
      o.extra_sources.push_back({job.run_dir, infra.redis().url_without_password(),
                                 fs::absolute(job.run_dir).string(), "", infra.client_endpoint()});
      web = std::make_unique<serve::WebServer>(o);
      out << "live view: " << web->url() << "\n";
      out.flush();
    }
    return execute_experiment(job, infra, out);
  } catch (const std::exception& e) {
    out << command << ": " << e.what() << "\n";
    return RunOutcome{1, "", "", e.what()};
  }
}

}  // namespace

RunOutcome execute_experiment(const ExperimentJob& job, Infrastructure& infra, std::ostream& out) {
  RunOutcome outcome{0, job.experiment_id, job.run_dir, ""};
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<StateStore> store;
  try {
    const ExperimentSettings s = settings_from(job.config);
    spdlog::info("experiment {}: {}", job.experiment_id, infra.describe());
    redis = std::make_unique<RedisClient>(infra.redis());
    store = std::make_unique<StateStore>(*redis, job.experiment_id);
    const std::string hash = config_hash(job.config);
    record_or_check(*store, job, hash, out);
    run_recorded(job, s, hash, infra, *redis, *store, out);
    return outcome;
  } catch (const std::exception& e) {
    // A failure while a signal's shutdown is under way (an interrupted
    // system call, a lost connection) is that stop, and says so.
    const bool by_signal = interrupted();
    const std::string why = by_signal ? Interrupted().what() : e.what();
    outcome.message = why;
    const bool recorded = store != nullptr && dynamic_cast<const Refused*>(&e) == nullptr;
    if (!recorded) {
      out << "experiment " << job.experiment_id << ": " << why << "\n";
      outcome.exit_code = by_signal ? interrupt_exit_code() : 1;
      return outcome;
    }
    // The signal may have reached Redis too (a supervisor stopping the
    // job): a status that cannot be written must not end the process.
    try {
      store->set_status("stopped", why);
    } catch (const std::exception& e2) {
      spdlog::error("could not record the stop reason: {}", e2.what());
    }
    out << "stopped: " << why << "\nthe experiment is resumable: bigpe resume " << job.run_dir << "\n";
    outcome.exit_code = by_signal ? interrupt_exit_code() : 2;
  }
  out.flush();
  return outcome;
}

RunOutcome run_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                          std::ostream& out) {
  try {
    ExperimentJob job;
    job.config = load_experiment_config(config_path, overrides);
    check_experiment(job.config);  // before the run folder, its lock, Redis or a broker exist
    std::string out_dir = job.config.get_string("out");
    if (!out_dir.empty() && has_run_file(out_dir)) {
      job.run_dir = out_dir;
      job.experiment_id = read_run_file(out_dir).experiment_id;
      job.fresh = false;
      return execute_alone(job, "bigpe run", out);
    }
    job.experiment_id = new_run_id(job.config.get_string("name"));
    job.run_dir = out_dir.empty() ? "runs/" + job.experiment_id : out_dir;
    fs::create_directories(job.run_dir);
    RunFile rf;
    rf.experiment_id = job.experiment_id;
    rf.values = job.config.values();
    write_run_file(job.run_dir, rf);
    return execute_alone(job, "bigpe run", out);
  } catch (const std::exception& e) {
    out << "bigpe run: " << e.what() << "\n";
    return RunOutcome{1, "", "", e.what()};
  }
}

RunOutcome resume_experiment(const std::string& run_dir, const std::vector<std::string>& overrides,
                             std::ostream& out) {
  try {
    RunFile rf = read_run_file(run_dir);
    if (rf.infra_dir != ".")
      throw std::runtime_error(run_dir + " belongs to campaign " + rf.campaign_id +
                               "; resume the campaign: bigpe resume " + infra_dir_of(run_dir, rf));
    ExperimentJob job;
    job.run_dir = run_dir;
    job.experiment_id = rf.experiment_id;
    job.fresh = false;
    job.config = Config::from_values(rf.values, experiment_schema(), run_dir + "/run.json");
    for (const std::string& o : overrides) {
      auto eq = o.find('=');
      if (eq == std::string::npos) throw ConfigError("override '" + o + "': expected key=value");
      job.config.set(o.substr(0, eq), o.substr(eq + 1));
    }
    check_experiment(job.config);  // its files may have gone since it started
    return execute_alone(job, "bigpe resume", out);
  } catch (const std::exception& e) {
    out << "bigpe resume: " << e.what() << "\n";
    return RunOutcome{1, "", "", e.what()};
  }
}

}  // namespace bigpe::engine
