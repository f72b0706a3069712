#pragma once
// The files and environment an experiment reads, checked before it starts:
// the query file (and that the held-out split leaves queries to train on),
// the sim vocabulary, the professional prompt database, the OpenAI server,
// model and API-key variable, the Redis password file and the CURVE key
// files. Part of check_experiment() (experiment_checks.h).
//
// Thread-safety: reads files and the environment; no shared state.
#include <vector>

#include "scheduler/experiment/experiment_checks.h"

namespace bigpe::engine {

std::vector<SettingProblem> input_problems(const ExperimentSettings& s);

}  // namespace bigpe::engine
