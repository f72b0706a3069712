#pragma once
// The experiment configuration: every key an experiment YAML file may set,
// bound once to its ExperimentSettings member with type, default, range and
// help (the table in experiment_config.cpp). experiment_schema() validates
// YAML against it; settings_from() fills the struct from it.
#include <deque>

#include "common/config.h"
#include "scheduler/experiment/experiment_settings.h"
#include "scheduler/experiment/setting_binding.h"

namespace bigpe::engine {

// The schema lives for the whole program.
const ConfigSchema& experiment_schema();

// Every key with its member, in table order (for `config keys` and tests).
const std::deque<SettingBinding<ExperimentSettings>>& experiment_bindings();

// Throws ConfigError when a value holds a secret (a password in the redis
// url): the resolved config is stored in Redis and in run.json.
void refuse_secrets(const Config& config);

// Calls refuse_secrets() first.
ExperimentSettings settings_from(const Config& config);

}  // namespace bigpe::engine
