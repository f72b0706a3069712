#include "scheduler/engine/experiment_runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "broker/broker_client.h"
#include "common/content_hash.h"
#include "common/json.h"
#include "common/sim_vocabulary.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/engine/experiment_config.h"
#include "scheduler/engine/infrastructure.h"
#include "scheduler/engine/interrupt.h"
#include "scheduler/engine/optimization_loop.h"
#include "scheduler/engine/paper_loop.h"
#include "scheduler/engine/progress_line.h"
#include "scheduler/engine/render_dispatcher.h"
#include "scheduler/engine/report.h"
#include "scheduler/llm/cached_llm_client.h"
#include "scheduler/llm/llm_factory.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string new_experiment_id(const std::string& name) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string entropy = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
                        "|" + std::to_string(::getpid());
  return name + "-" + stamp + "-" + sha256_hex(entropy).substr(0, 6);
}

// Hash over the keys that define the experiment's meaning only, so moving
// workers or endpoints keeps the same hash.
std::string config_hash(const Config& config) {
  std::string canonical;
  for (const auto& [key, value] : config.values()) {
    const ConfigKey* k = experiment_schema().find(key);
    if (k != nullptr && k->affects_result) canonical += key + "=" + value + "\n";
  }
  return sha256_hex(canonical);
}

void write_run_file(const std::string& run_dir, const std::string& id, const Config& config) {
  json::Value root = json::Value::object();
  root["experiment_id"] = id;
  json::Value values = json::Value::object();
  for (const auto& [k, v] : config.values()) values[k] = v;
  root["config"] = values;
  std::ofstream f(run_dir + "/run.json", std::ios::trunc);
  f << json::serialize(root) << "\n";
  if (!f) throw std::runtime_error("cannot write " + run_dir + "/run.json");
}

struct RunFile {
  std::string experiment_id;
  std::map<std::string, std::string> values;
};

RunFile read_run_file(const std::string& run_dir) {
  std::string path = run_dir + "/run.json";
  std::ifstream f(path);
  if (!f) throw Refused(path + ": no such run (expected the run.json that `bigpe run` writes)");
  std::stringstream ss;
  ss << f.rdbuf();
  RunFile rf;
  try {
    json::Value root = json::parse(ss.str());
    rf.experiment_id = root.at("experiment_id").as_string();
    for (const auto& [k, v] : root.at("config").as_object()) rf.values[k] = v.as_string();
  } catch (const std::exception& e) {
    throw Refused(path + ": " + e.what());
  }
  return rf;
}

std::string join_keys(const std::vector<std::string>& keys, const Config& a, const Config& b) {
  std::string out;
  for (const std::string& k : keys)
    out += "\n  " + k + ": stored '" + a.values().at(k) + "', now '" + b.values().at(k) + "'";
  return out;
}

std::string heuristic_model_name(const ExperimentSettings& s, const sim::Vocabulary& vocab) {
  std::string phrases;
  for (const std::string& p : vocab.phrases()) phrases += p + "\n";
  char knobs[96];
  std::snprintf(knobs, sizeof knobs, "gc=%.6g;quirk=%d", s.gc_specific, s.fallback_quirk ? 1 : 0);
  return std::string("heuristic-v1;") + knobs + ";vocab=" + sha256_hex(phrases).substr(0, 12);
}

// Runs (or continues) the experiment whose run folder and config are known.
RunOutcome execute(const std::string& run_dir, const std::string& id, const Config& config, bool fresh,
                   std::ostream& out) {
  const ExperimentSettings s = settings_from(config);
  RunOutcome outcome{0, id, run_dir};
  install_interrupt_handlers();
  const auto t0 = std::chrono::steady_clock::now();

  Infrastructure infra(s, run_dir);
  spdlog::info("experiment {}: {}", id, infra.describe());
  auto redis = std::make_shared<RedisClient>(infra.redis());
  StateStore store(*redis, id);
  const std::string hash = config_hash(config);
  if (fresh && !store.exists()) {
    store.create(config.values(), hash);
  } else {
    Config stored = Config::from_values(store.load_config_values(), experiment_schema(),
                                        "stored config of " + id);
    std::vector<std::string> diff = stored.result_affecting_differences(config);
    if (!diff.empty())
      throw Refused("experiment " + id + ": the config changes the experiment's meaning; refusing to "
                    "resume. Keys that differ:" + join_keys(diff, stored, config));
  }

  try {
    auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(
        s.sim_vocabulary.empty() ? sim::default_vocabulary_path() : s.sim_vocabulary));
    std::vector<std::string> all_queries =
        load_queries(s.queries_path.empty() ? default_queries_path() : s.queries_path);
    QuerySplit split = split_queries(all_queries, paper_table2_queries(),
                                     static_cast<std::size_t>(s.heldout_size));
    ProfessionalDb prodb;
    if (s.pro_source == "synthetic")
      prodb = ProfessionalDb::synthetic(all_queries, *vocab, 0);
    else if (s.pro_source == "jsonl")
      prodb = ProfessionalDb::load_jsonl(s.pro_path);
    else if (s.pro_source == "text")
      prodb = ProfessionalDb::load_text(s.pro_path);

    LlmSettings ls;
    ls.backend = s.llm_backend;
    ls.heuristic.gc_specific = s.gc_specific;
    ls.heuristic.fallback_quirk = s.fallback_quirk;
    ls.vocabulary_path = s.sim_vocabulary;
    ls.openai.base_url = s.llm_base_url;
    ls.openai.model = s.llm_model;
    ls.openai.api_key_env = s.llm_api_key_env;
    ls.openai.timeout_s = s.llm_timeout_s;
    ls.openai.max_retries = s.llm_max_retries;
    ls.openai.max_concurrent = s.llm_max_concurrent;
    ls.openai.max_tokens = s.llm_max_tokens;
    CachedLlmClient llm(make_llm_client(ls), std::make_shared<RedisClient>(infra.redis()));
    AgentOptions agent_options;
    agent_options.model = s.llm_backend == "heuristic" ? heuristic_model_name(s, *vocab) : s.llm_model;
    agent_options.temperature = s.llm_temperature;
    agent_options.max_tokens = s.llm_max_tokens;
    Generator generator(llm, agent_options);
    GradientCalculator gradient(llm, agent_options);
    InstructionModifier modifier(llm, agent_options);

    broker::BrokerClient client(infra.client_endpoint(), "scheduler-" + id);
    DispatchSettings ds;
    ds.experiment_id = id;
    ds.service = s.service;
    ds.items_per_task = s.items_per_task;
    ds.params.steps = s.steps;
    ds.params.guidance = s.guidance;
    ds.params.width = s.width;
    ds.params.height = s.height;
    ds.params.sampler = s.sampler;
    ds.params.negative = s.negative;
    if (s.backend == "sim") ds.params.options["sim.taste_seed"] = std::to_string(s.taste_seed);
    if (!s.cache_reuse) ds.params.options["cache.scope"] = id;
    RenderDispatcher dispatcher(client, *redis, ds);

    EngineContext ctx{s, id, split, prodb, generator, gradient, modifier, dispatcher, &store};
    ExperimentState state = store.load_state().value_or(ExperimentState{});
    seed_pool(state, s.initial_instruction);
    if (!fresh)
      out << "resuming " << id << " at iteration " << state.next_iteration + 1 << "/" << s.iterations << "\n";
    out << "experiment " << id << " (" << s.loop << " loop, " << s.selector.kind << ", batch "
        << s.batch_size << ", " << s.iterations << " iterations) -> " << run_dir << "\n";
    out.flush();

    std::unique_ptr<OptimizationLoop> loop = make_loop(ctx);
    ProgressLine progress(s.iterations, state.next_iteration);
    const int first_iteration = state.next_iteration;
    const auto loop_start = std::chrono::steady_clock::now();
    const double busy_before = dispatcher.busy_ms(), wait_before = dispatcher.wait_ms();
    while (!state.finished) {
      if (interrupted()) throw Interrupted();
      loop->run_iteration(state);
      out << progress.line(state) << "\n";
      out.flush();
    }
    const double loop_wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
    const double worker_busy_s = (dispatcher.busy_ms() - busy_before) / 1000.0;
    const double scheduler_s = loop_wall_s - (dispatcher.wait_ms() - wait_before) / 1000.0;

    std::optional<EvaluationResult> eval;
    if (s.eval_enabled) {
      if (state.evaluated) {
        if (auto bytes = store.load_evaluation()) eval = decode_evaluation(*bytes);
      }
      if (!eval) {
        out << "evaluating on " << split.heldout.size() << " held-out queries x " << s.eval_seeds
            << " seeds...\n";
        out.flush();
        const long done_before = dispatcher.renders_done(), cached_before = dispatcher.renders_cached();
        eval = evaluate(ctx, state.instructions.at(state.final_id).text);
        state.renders_done += dispatcher.renders_done() - done_before;
        state.renders_cached += dispatcher.renders_cached() - cached_before;
        state.evaluated = true;
        store.commit_evaluation(state, encode_evaluation(*eval), {{"type", "evaluation"}});
      }
    }

    ReportInput ri{id, hash, &s, &state, eval ? &*eval : nullptr, run_dir};
    ri.loop_wall_s = loop_wall_s;
    ri.worker_busy_s = worker_busy_s;
    ri.scheduler_s = scheduler_s;
    ri.loop_iterations = state.next_iteration - first_iteration;
    write_reports(ri);
    store.set_status("finished", "");
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out << "\nfinal instruction (" << state.final_id << "):\n  ";
    for (char c : state.instructions.at(state.final_id).text) out << (c == '\n' ? std::string("\n  ") : std::string(1, c));
    out << "\n\n";
    if (eval) out << "held-out evaluation (" << eval->queries.size() << " queries x " << eval->seeds
                  << " seeds):\n" << result_table(*eval) << "\n";
    char tail[160];
    std::snprintf(tail, sizeof tail, "renders: %ld done, %ld cached; %.1f s; report: %s/report.md\n",
                  state.renders_done, state.renders_cached, elapsed, run_dir.c_str());
    out << tail;
    return outcome;
  } catch (const Refused&) {
    throw;
  } catch (const Interrupted& e) {
    store.set_status("stopped", e.what());
    out << "stopped: " << e.what() << "; resume with: bigpe resume " << run_dir << "\n";
    outcome.exit_code = 2;
    return outcome;
  } catch (const std::exception& e) {
    try {
      store.set_status("stopped", e.what());
    } catch (const std::exception& e2) {
      spdlog::error("could not record the stop reason: {}", e2.what());
    }
    out << "stopped: " << e.what() << "\nthe experiment is resumable: bigpe resume " << run_dir << "\n";
    outcome.exit_code = 2;
    return outcome;
  }
}

}  // namespace

RunOutcome run_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                          std::ostream& out) {
  try {
    Config config = Config::load(config_path, experiment_schema(), overrides);
    std::string out_dir = config.get_string("out");
    if (!out_dir.empty() && fs::exists(out_dir + "/run.json")) {
      RunFile rf = read_run_file(out_dir);
      return execute(out_dir, rf.experiment_id, config, false, out);
    }
    std::string id = new_experiment_id(config.get_string("name"));
    std::string run_dir = out_dir.empty() ? "runs/" + id : out_dir;
    fs::create_directories(run_dir);
    write_run_file(run_dir, id, config);
    return execute(run_dir, id, config, true, out);
  } catch (const std::exception& e) {
    out << "bigpe run: " << e.what() << "\n";
    return RunOutcome{1, "", ""};
  }
}

RunOutcome resume_experiment(const std::string& run_dir, const std::vector<std::string>& overrides,
                             std::ostream& out) {
  try {
    RunFile rf = read_run_file(run_dir);
    Config config = Config::from_values(rf.values, experiment_schema(), run_dir + "/run.json");
    for (const std::string& o : overrides) {
      auto eq = o.find('=');
      if (eq == std::string::npos) throw ConfigError("override '" + o + "': expected key=value");
      config.set(o.substr(0, eq), o.substr(eq + 1));
    }
    return execute(run_dir, rf.experiment_id, config, false, out);
  } catch (const std::exception& e) {
    out << "bigpe resume: " << e.what() << "\n";
    return RunOutcome{1, "", ""};
  }
}

}  // namespace bigpe::engine
