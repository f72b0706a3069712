#include "scheduler/run/eval_study.h"

#include "common/unix_time.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <ostream>
#include <set>

#include "broker/broker_client.h"
#include "common/content_hash.h"
#include "scheduler/report/eval_tables.h"
#include "scheduler/report/scored_only_text.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/run/backend_identity_check.h"
#include "scheduler/run/render_params_check.h"
#include "scheduler/run/experiment_wiring.h"
#include "scheduler/run/infrastructure.h"
#include "common/interrupt.h"
#include "scheduler/render/render_dispatcher.h"
#include "scheduler/store/run_folder.h"
#include "scheduler/store/state_store.h"
#include "scheduler/store/store_access.h"
#include "common/redis/redis_keys.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Keys that define the evaluation task: the agents, the prompts, the
// renderer and the taste. Experiments evaluated together must agree on them.
bool is_task_key(const std::string& k) {
  static const std::set<std::string> exact = {"initial_instruction", "professional.source", "professional.path",
                                              "professional.exemplars", "queries.path", "queries.heldout",
                                              "llm.backend", "llm.model", "llm.temperature", "llm.max_tokens",
                                              "heuristic.gc_specific", "heuristic.fallback_quirk", "sim.taste_seed",
                                              "sim.vocabulary", "eval.seed_base"};
  return exact.count(k) > 0 || k.rfind("render.", 0) == 0;
}

struct Source {
  std::string experiment_id;
  std::string label;
  std::string run_dir;  // empty for an id
  Config config;
  std::string final_instruction;
};

Source load_source(const std::string& given, const std::string& run_dir, const std::string& id, RedisClient& redis) {
  Source s;
  s.experiment_id = id;
  s.run_dir = run_dir;
  StateStore store(redis, id);
  if (!store.exists()) throw BadInput(given + ": no experiment " + id + " in this Redis");
  std::map<std::string, std::string> meta = store.load_meta();
  s.label = meta.count("variant") && !meta["variant"].empty() ? meta["variant"] + ".r" + meta["repeat"] : id;
  s.config = Config::from_values(store.load_config_values(), experiment_schema(), "stored config of " + id);
  std::optional<ExperimentState> state = store.load_state();
  if (!state || !state->finished)
    throw BadInput(given + ": experiment " + id + " has not finished its iterations (" +
                   std::to_string(state ? state->next_iteration : 0) + "/" + s.config.values().at("iterations") +
                   "); resume it first");
  s.final_instruction = state->instructions.at(state->final_id).text;
  return s;
}

std::string eval_id_of(const Config& task, const std::vector<std::string>& queries, const std::vector<EvalMethod>& m) {
  std::string material = "bigpe-eval-v1\n" + config_hash(task) + "\n" + task.values().at("eval.seeds") + "\n";
  for (const std::string& q : queries) material += "q:" + q + "\n";
  for (const EvalMethod& e : m) material += "m:" + e.name + "|" + e.instruction + "\n";
  return "eval-" + sha256_hex(material).substr(0, 12);
}

int run_eval_checked(const EvalRequest& req, std::ostream& out) {
  if (req.sources.empty() && req.instructions.empty())
    throw BadInput("nothing to evaluate: give run folders (or experiment ids with --redis) or --instruction TEXT");

  // One store for every source: --redis, else the first run folder's.
  std::unique_ptr<StoreHandle> handle;
  std::vector<TargetFolder> targets;
  for (const std::string& src : req.sources) {
    TargetFolder t = resolve_target(src);
    if (t.kind == TargetFolder::Kind::kCampaign)
      throw BadInput(src + " is a campaign folder; give its experiments (" + src + "/experiments/<variant>.r<k>)");
    targets.push_back(t);
  }
  if (!req.redis_url.empty()) {
    handle = open_url_store(req.redis_url);
  } else {
    for (const TargetFolder& t : targets)
      if (t.kind == TargetFolder::Kind::kExperiment && !handle) handle = open_folder_store(t.infra_folder, t.redis_setting);
    if (!handle && !targets.empty()) throw BadInput("experiment ids need --redis URL (or give run folders)");
  }
  for (const TargetFolder& t : targets)
    if (t.kind == TargetFolder::Kind::kExperiment && req.redis_url.empty() &&
        fs::weakly_canonical(t.infra_folder) != fs::weakly_canonical(handle->folder))
      throw BadInput("the experiments given live in different stores (" + handle->folder + " and " +
                     t.infra_folder + "); evaluate them separately or give --redis");

  std::vector<Source> sources;
  if (handle) {
    RedisClient redis(handle->redis);
    for (std::size_t i = 0; i < targets.size(); ++i)
      sources.push_back(load_source(req.sources[i],
                                    targets[i].kind == TargetFolder::Kind::kExperiment ? req.sources[i] : "",
                                    targets[i].id, redis));
  }

  // The task config.
  Config task;
  if (!req.config_path.empty())
    task = Config::load(req.config_path, experiment_schema());
  else if (!sources.empty())
    task = sources.front().config;
  else
    throw BadInput("--instruction alone needs --config FILE (the experiment config that defines the task)");
  for (const Source& s : sources) {
    std::string diff;
    for (const auto& [k, v] : task.values())
      if (is_task_key(k) && s.config.values().at(k) != v)
        diff += "\n  " + k + ": '" + v + "' vs '" + s.config.values().at(k) + "' (" + s.label + ")";
    if (!diff.empty()) throw BadInput("the experiments do not share one evaluation task:" + diff);
  }
  for (const std::string& o : req.overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos) throw BadInput("override '" + o + "': expected key=value");
    task.set(o.substr(0, eq), o.substr(eq + 1));
  }
  if (req.seeds > 0) task.set("eval.seeds", std::to_string(req.seeds));
  ExperimentSettings s = settings_from(task);

  // Services: the live ones, or the folder's own (or a URL's) with the
  // config's broker and workers.
  if (!handle) handle = s.redis == "auto" ? nullptr : open_url_store(s.redis);
  if (!handle) throw BadInput("--config with `redis: auto` has no store to use; give --redis URL");
  s.redis = handle->redis.url_without_password();
  if (handle->live) {
    s.broker = handle->broker_endpoint;
    s.workers = "remote";
  }

  using K = EvalMethod::Kind;
  std::vector<EvalMethod> methods = {{"plain", K::kPlain, ""},
                                     {"baseline", K::kGenerated, s.initial_instruction},
                                     {"professional", K::kProfessional, ""}};
  const std::size_t optimized = sources.size() + req.instructions.size();
  for (const Source& src : sources)
    methods.push_back({optimized == 1 ? "optimized" : "optimized:" + src.label, K::kGenerated, src.final_instruction});
  for (std::size_t k = 0; k < req.instructions.size(); ++k)
    methods.push_back({optimized == 1 ? "optimized" : "optimized:instruction-" + std::to_string(k + 1), K::kGenerated,
                       req.instructions[k]});

  std::string artifacts = handle->folder.empty() ? (req.out_dir.empty() ? std::string("evals") : req.out_dir) : handle->folder;
  install_interrupt_handlers();
  Infrastructure infra(s, fs::absolute(artifacts).string());
  ExperimentWiring wiring(s, infra.redis());
  std::vector<std::string> queries =
      req.queries_path.empty() ? wiring.split.heldout : load_queries(req.queries_path);
  const std::string eval_id = eval_id_of(task, queries, methods);
  auto client = infra.connect_client("scheduler-" + eval_id, broker_client_options(s));
  RedisClient redis(infra.redis());
  const std::string identity = check_backend_identity(s, wiring.vocabulary, infra, *client, nullptr, out);
  check_render_params(task, s, worker_limits(s, identity, infra, *client));
  DispatchSettings dispatch = dispatch_settings(s, eval_id, identity);
  dispatch.dependency_lost = [&infra] { return infra.failure(); };
  RenderDispatcher dispatcher(*client, redis, dispatch);
  EngineContext ctx{s, eval_id, wiring.split, wiring.prodb, *wiring.generator, *wiring.gradient,
                    *wiring.modifier, dispatcher, nullptr};
  out << "evaluation " << eval_id << ": " << methods.size() << " methods x " << queries.size() << " queries x "
      << s.eval_seeds << " seeds" << (handle->live ? " (through the running process's workers)" : "") << "\n";
  out.flush();
  EvaluationResult result = evaluate_methods(ctx, queries, methods);
  std::vector<PairComparison> pairs = all_pairs(result);

  const std::string record = encode_evaluation(result);
  const std::string now = std::to_string(unix_seconds());
  std::vector<std::vector<std::string>> cmds = {{"SET", redis_keys::eval_study(eval_id), record}};
  for (const Source& src : sources) {
    StateStore store(redis, src.experiment_id);
    cmds.push_back({"SET", store.key("eval:" + eval_id), record});
    cmds.push_back({"HSET", store.key("evals"), eval_id, now});
  }
  redis.transaction(cmds);

  std::string dir = req.out_dir;
  if (dir.empty()) dir = (!sources.empty() && !sources.front().run_dir.empty() ? sources.front().run_dir : "evals") +
                         std::string("/") + eval_id;
  write_eval_csv(dir, result, pairs);
  out << "\n" << eval_table_text(result, pairs);
  // Each held-out judge (score.judges): the same tables of its scores, in
  // judges/<name>/ beside the optimized score's.
  for (const JudgeResult& j : result.judges) {
    const EvaluationResult judged = result.judged_by(j.judge);
    const std::vector<PairComparison> judged_pairs = all_pairs(judged);
    write_eval_csv(dir + "/judges/" + j.judge, judged, judged_pairs);
    out << "\njudge " << j.judge << " (held out, not optimized):\n" << eval_table_text(judged, judged_pairs);
  }
  out << "\nrenders: " << dispatcher.renders_done() << " done, " << dispatcher.renders_cached() << " cached"
      << scored_only_text(dispatcher.renders_scored()) << "; tables: " << dir << "/methods.csv, pairs.csv, cells.csv"
      << (result.judges.empty() ? "" : ", and judges/<judge>/ the same") << "\n";
  return 0;
}

}  // namespace

int run_eval(const EvalRequest& request, std::ostream& out) {
  try {
    return run_eval_checked(request, out);
  } catch (const Interrupted& e) {
    out << "bigpe eval: " << e.what() << "\n";
    return interrupt_exit_code();
  } catch (const RenderFailed& e) {
    out << "bigpe eval: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    out << "bigpe eval: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace bigpe::engine
