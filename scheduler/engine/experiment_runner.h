#pragma once
// ExperimentRunner: `bigpe run` and `bigpe resume`. Resolves the config,
// makes the run folder (runs/<experiment-id>/ with run.json, images,
// report.md, report.json), starts the infrastructure, runs the loop to the
// end with a progress line per iteration, evaluates on held-out queries and
// writes the reports. Any failure after the experiment is recorded leaves it
// resumable, with the reason stored and printed.
#include <iosfwd>
#include <string>
#include <vector>

namespace bigpe::engine {

struct RunOutcome {
  int exit_code = 0;  // 0 finished, 2 stopped (resumable), 1 refused / bad input
  std::string experiment_id;
  std::string run_dir;
};

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
