#pragma once
// What an experiment's config must pass before anything is made for it (a
// run folder, a lock, Redis, a broker): every later refusal of a setting
// that can be known up front is found here, so a bad config is a config
// error (exit 1) naming file, line and key, never a stopped, resumable run.
// `bigpe run`, `bigpe resume`, `bigpe campaign` (every member) and
// `bigpe config show` call check_experiment(). The loops and the
// infrastructure refuse settings through the same functions
// (loop_problems(), infrastructure_problems()), so the two cannot drift.
//
// Thread-safety: pure functions, except input_problems() (input_checks.h),
// which reads files and the environment.
#include <string>
#include <vector>

#include "common/config.h"
#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {

// The budget loop gives each step 64 LLM sample indices, 4 per gradient
// call and its modifier calls: at most 16 gradient calls fit one step.
constexpr int kMaxBudgetGradientCalls = 16;

// One thing wrong with the settings. It is reported against the first of
// `keys` that the config set (else the first): a combination of keys names
// the one the user wrote.
struct SettingProblem {
  std::vector<std::string> keys;
  std::string why;
};

// Reads an experiment file (Config::load) and refuses one that sets no
// key: an empty or all-comment file, or `{}`, would otherwise run every
// default, whatever the overrides. Throws ConfigError.
Config load_experiment_config(const std::string& path, const std::vector<std::string>& overrides);

// Settings the optimization loop refuses: a selector the loop cannot use,
// budget.expand x budget.gradients beyond kMaxBudgetGradientCalls.
std::vector<SettingProblem> loop_problems(const ExperimentSettings& s);

// Settings the infrastructure refuses: the broker and redis addresses, and
// local workers without an embedded broker.
std::vector<SettingProblem> infrastructure_problems(const ExperimentSettings& s);

// "ORIGIN: key 'K': WHY": ORIGIN is where the config set the key
// (Config::origin_of), or "SOURCE: key 'K' (default)" when it did not.
std::string describe_problem(const Config& config, const SettingProblem& problem);

// Every problem of the config (secrets, loop, infrastructure, input files
// and environment), described; empty when it can run.
std::vector<std::string> experiment_problems(const Config& config);

// Throws ConfigError when `described` is not empty: one problem is the
// message itself; several are "N problems in the config:" and one indented
// line each.
void refuse_config_problems(const std::vector<std::string>& described);

// experiment_problems(), then refuse_config_problems().
void check_experiment(const Config& config);

// For components that refuse settings when they are built: throws
// std::invalid_argument "key 'K': WHY" for the first problem.
void refuse_setting_problems(const std::vector<SettingProblem>& problems);

}  // namespace bigpe::engine
