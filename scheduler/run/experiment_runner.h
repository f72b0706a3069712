#pragma once
// ExperimentRunner: `bigpe run` and `bigpe resume`, and the body every
// experiment runs, alone or inside a campaign. Resolves the config, makes
// the run folder (runs/<experiment-id>/ with run.json, images, report.md,
// report.json, console.log), starts the infrastructure (or uses the campaign's), runs
// the loop to the end with a progress line per iteration, evaluates on
// held-out queries and writes the reports. Any failure after the experiment
// is recorded leaves it resumable, with the reason stored and printed.
//
// Thread-safety: execute_experiment() may run on several threads at once
// over one Infrastructure (a campaign): each call makes its own Redis and
// broker connections, and the Infrastructure is only read.
#include <iosfwd>
#include <string>
#include <vector>

#include "common/config.h"

namespace bigpe::engine {

class Infrastructure;

struct RunOutcome {
  int exit_code = 0;  // 0 finished, 2 stopped (resumable), 130/143 stopped by SIGINT/SIGTERM, 1 refused
  std::string experiment_id;
  std::string run_dir;
  std::string message;  // why it stopped or was refused; empty when finished
};

// One experiment to run or continue in an existing run folder.
struct ExperimentJob {
  std::string run_dir;
  std::string experiment_id;
  Config config;
  bool fresh = true;  // true: recorded when not stored yet; false: must be stored
  // Campaign membership, stored in the experiment's meta hash.
  std::string campaign_id;
  std::string variant;
  int repeat = -1;
};

// Runs (or continues) one experiment over `infra`. Never throws: refusals
// (a stored config that differs in meaning) and setup errors come back
// with exit_code 1, failures after the experiment is recorded with 2.
RunOutcome execute_experiment(const ExperimentJob& job, Infrastructure& infra, std::ostream& out);

// `bigpe run CONFIG [key=value ...]`. If `out` names a folder that already
// holds an experiment, it is resumed when the config matches and refused
// (listing the differing keys) when it does not.
RunOutcome run_experiment(const std::string& config_path, const std::vector<std::string>& overrides,
                          std::ostream& out);

// `bigpe resume RUN_DIR [key=value ...]`: only keys that do not change the
// experiment's meaning (workers, endpoints, output) may differ.
RunOutcome resume_experiment(const std::string& run_dir, const std::vector<std::string>& overrides,
                             std::ostream& out);

}  // namespace bigpe::engine
