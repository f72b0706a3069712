#pragma once
// A campaign file: one base experiment config, a grid of variants and a
// number of repeats, expanded (campaign_grid.h) into experiments that run
// concurrently over one infrastructure. The schema (docs/campaigns.md):
//
//   name: table1-sim             # required: campaign id prefix, [A-Za-z0-9._-]
//   base: ../quickstart.yaml     # required: experiment config, relative to this file
//   set:                         # optional: keys set on every experiment
//     sim.cost_ms: 20            #   (dotted keys or nested maps)
//   variants:                    # required, at least one
//     - name: ucb-b3             # required, unique, [A-Za-z0-9._-]
//       set: {selector.kind: ucb, batch_size: 3}
//   repeats: 10                  # default 1; repeat k (0-based) runs with
//   seed_base: 0                 #   seed = seed_base + k (default: base seed)
//   taste_from_repeat: true      #   sim.taste_seed = taste_base + k, or
//   taste_base: 0
//   tastes: [3, 1, 4]            #   sim.taste_seed = tastes[k] (one per repeat)
//   concurrency: 0               # experiments running at once; 0 = all
//
// Every error names the file, the line and the key. Variants may not set
// keys that the shared infrastructure fixes for all experiments (redis,
// broker, workers, local_workers, worker_slots, sim.cost_ms, render.backend,
// render.service, write_images, redis_appendfsync, redis_restarts): those go
// in the top-level `set`. `name` and `out` are set by the campaign.
//
// Thread-safety: plain values and pure functions.
#include <string>
#include <vector>

namespace bigpe::engine {

// One key = value with the line it came from.
struct SpecSetting {
  std::string key;
  std::string value;
  int line = 0;  // -1: a command-line override
};

struct CampaignVariant {
  std::string name;
  std::vector<SpecSetting> set;
  int line = 0;
};

struct CampaignSpec {
  std::string file;       // as given
  std::string name;
  std::string base_path;  // resolved against the campaign file's folder
  std::vector<SpecSetting> set;  // then command-line overrides (line -1)
  std::vector<CampaignVariant> variants;
  int repeats = 1;
  bool has_seed_base = false;
  long long seed_base = 0;
  bool taste_from_repeat = false;
  long long taste_base = 0;
  std::vector<long long> tastes;  // empty unless given
  int concurrency = 0;
};

// Throws ConfigError "file:line: key 'x': why" for every bad input.
CampaignSpec load_campaign_spec(const std::string& path);
CampaignSpec parse_campaign_spec(const std::string& yaml_text, const std::string& origin);

// A command-line override of `bigpe campaign`: `repeats=N` sets the
// campaign's repeats (checked as in the file, and against `tastes`), which
// on an existing campaign folder adds the new repeats of every variant; any
// other key=value is a setting of every experiment, after the file's `set`.
// Throws ConfigError "override 'k=v': why".
void apply_campaign_override(CampaignSpec& spec, const std::string& override_text);

// Names used as id parts: letters, digits, '.', '_', '-'; not starting with '.'.
bool is_safe_name(const std::string& name);

}  // namespace bigpe::engine
