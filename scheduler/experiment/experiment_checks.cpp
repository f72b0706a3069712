#include "scheduler/experiment/experiment_checks.h"

#include <stdexcept>

#include "common/redis/redis_client.h"
#include "scheduler/experiment/input_checks.h"
#include "scheduler/experiment/score_checks.h"
#include "scheduler/experiment/local_devices.h"
#include "scheduler/experiment/score_model_folders.h"
#include "scheduler/selection/arm_allocator.h"
#include "scheduler/selection/selector.h"

namespace bigpe::engine {
namespace {

// A component's message without its own "key: " prefix, which the problem
// line already gives.
std::string reason(const std::exception& e, const std::string& key) {
  const std::string what = e.what();
  const std::string prefix = key + ": ";
  return what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
}

const std::string& reported_key(const Config& config, const SettingProblem& p) {
  for (const std::string& k : p.keys)
    if (config.was_set(k)) return k;
  return p.keys.front();
}

}  // namespace

Config load_experiment_config(const std::string& path, const std::vector<std::string>& overrides) {
  Config c = Config::load(path, experiment_schema(), overrides);
  if (c.keys_from_source() == 0)
    throw ConfigError(path + ": holds no keys; an experiment file sets at least one (e.g. `name: my-run`); "
                             "every key and its default: bigpe config keys");
  return c;
}

std::vector<SettingProblem> loop_problems(const ExperimentSettings& s) {
  std::vector<SettingProblem> out;
  // The loops' own factories decide, so this check cannot disagree with them.
  try {
    if (s.loop == "paper") make_selector(s.selector);
    if (s.loop == "budget")
      make_allocator(allocator_settings(s.selector, s.budget.min_cells, s.budget.chunk));
  } catch (const std::invalid_argument& e) {
    out.push_back({{"selector.kind", "loop"}, "loop '" + s.loop + "': " + reason(e, "selector.kind")});
  }
  if (s.loop == "budget" && s.budget.expand * s.budget.gradients > kMaxBudgetGradientCalls)
    out.push_back({{"budget.gradients", "budget.expand"},
                   "budget.expand x budget.gradients = " + std::to_string(s.budget.expand) + " x " +
                       std::to_string(s.budget.gradients) + " = " +
                       std::to_string(s.budget.expand * s.budget.gradients) + " gradient calls per step; at most " +
                       std::to_string(kMaxBudgetGradientCalls) + " fit the step's LLM sample indices"});
  return out;
}

std::vector<SettingProblem> infrastructure_problems(const ExperimentSettings& s) {
  std::vector<SettingProblem> out;
  const bool embedded = s.broker == "embedded";
  if (!embedded && s.broker.rfind("tcp://", 0) != 0)
    out.push_back({{"broker"}, "expected 'embedded' or tcp://HOST:PORT, got '" + s.broker + "'"});
  if (s.workers == "local" && !embedded)
    out.push_back({{"workers", "broker"},
                   "workers: local needs broker: embedded (start `bigpe worker` processes against a remote "
                   "broker instead)"});
  if (s.workers == "local" && s.backend == "torchscript-sd") {
    if (s.render_model.empty())
      out.push_back({{"render.model", "render.backend"},
                     "local torchscript-sd workers need render.model, a model folder (docs/models.md)"});
    if (s.score_model.empty())
      out.push_back({{"score.model", "render.backend"},
                     "local torchscript-sd workers need score.model, the model folder of each libtorch scorer "
                     "(hpsv2, pickscore, aesthetic), comma-separated (docs/models.md)"});
    else if (std::string why = score_model_problem(s.score_model); !why.empty())
      out.push_back({{"score.model"}, why});
    if (std::string why = local_devices_problem(s.render_devices); !why.empty())
      out.push_back({{"render.devices"}, why});
  }
  if (s.llm.sim_latency.sd_ms > 0 && !s.llm.sim_latency.enabled())
    out.push_back({{"llm.sim_latency_sd_ms", "llm.sim_latency_ms"},
                   "a latency sd needs a mean: set llm.sim_latency_ms above 0"});
  if (s.llm.sim_latency.enabled() && s.llm.backend != "heuristic")
    out.push_back({{"llm.sim_latency_ms", "llm.backend"},
                   "simulated latency is for the heuristic backend; llm.backend is '" + s.llm.backend +
                       "', whose latency is the server's own"});
  if (s.redis != "auto") {
    try {
      RedisOptions::from_url(s.redis);  // its messages never show a password
    } catch (const std::invalid_argument& e) {
      out.push_back({{"redis"}, std::string(e.what()) + " (or 'auto': a private redis-server)"});
    }
  }
  return out;
}

std::string describe_problem(const Config& config, const SettingProblem& p) {
  const std::string& key = reported_key(config, p);
  const std::string origin = config.origin_of(key);
  if (origin.empty()) return config.source() + ": key '" + key + "' (default): " + p.why;
  return origin + ": key '" + key + "': " + p.why;
}

std::vector<std::string> experiment_problems(const Config& config) {
  try {
    refuse_secrets(config);
  } catch (const ConfigError& e) {
    // An override's origin would repeat the url, password and all.
    std::string origin = config.origin_of("redis");
    if (origin.rfind("override", 0) == 0) origin = "override of 'redis'";
    return {(origin.empty() ? config.source() : origin) + ": " + e.what()};
  }
  const ExperimentSettings s = settings_from(config);
  std::vector<SettingProblem> problems = loop_problems(s);
  for (auto* more : {&infrastructure_problems, &input_problems, &score_problems})
    for (SettingProblem& p : more(s)) problems.push_back(std::move(p));
  std::vector<std::string> out;
  for (const SettingProblem& p : problems) out.push_back(describe_problem(config, p));
  return out;
}

void refuse_config_problems(const std::vector<std::string>& described) {
  if (described.empty()) return;
  if (described.size() == 1) throw ConfigError(described.front());
  std::string text = std::to_string(described.size()) + " problems in the config:";
  for (const std::string& d : described) text += "\n  " + d;
  throw ConfigError(text);
}

void check_experiment(const Config& config) { refuse_config_problems(experiment_problems(config)); }

void refuse_setting_problems(const std::vector<SettingProblem>& problems) {
  if (problems.empty()) return;
  throw std::invalid_argument("key '" + problems.front().keys.front() + "': " + problems.front().why);
}

}  // namespace bigpe::engine
