#pragma once
// The run folder of an experiment or campaign on disk: run.json (the
// experiment id and its resolved config, so `bigpe resume DIR` needs nothing
// else), fresh ids, the config hash that identifies an experiment's meaning,
// and `infra_dir`, the folder whose redis/ and images/ hold the data (the
// run folder itself, or the campaign folder for a campaign's experiment).
//
// Thread-safety: pure functions over files; callers serialise writes to one
// folder.
#include <map>
#include <string>

#include "common/config.h"

namespace bigpe::engine {

struct RunFile {
  std::string experiment_id;
  std::map<std::string, std::string> values;  // resolved config, key -> value text
  std::string infra_dir;  // relative to the run folder; "." for a standalone run
  std::string campaign_id;  // empty when not part of a campaign
  std::string variant;
  int repeat = -1;
};

// "<name>-YYYYmmdd-HHMMSS-<6 hex>": sortable, unique across processes.
std::string new_run_id(const std::string& name);

// SHA-256 over the keys that define the experiment's meaning only, so moving
// workers or endpoints keeps the same hash.
std::string config_hash(const Config& config);

// Throws std::runtime_error naming the file when it cannot be written.
void write_run_file(const std::string& run_dir, const RunFile& rf);
// Throws std::runtime_error naming the file and what is wrong in it.
RunFile read_run_file(const std::string& run_dir);
bool has_run_file(const std::string& dir);

// The folder holding redis/ and images/ for `run_dir` (absolute or as given).
std::string infra_dir_of(const std::string& run_dir, const RunFile& rf);

}  // namespace bigpe::engine
