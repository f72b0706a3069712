#include "scheduler/campaign/campaign_grid.h"

#include <set>

#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {
namespace {

void apply(Config& config, const std::vector<SpecSetting>& settings, const std::string& file,
           const std::string& where, bool variant) {
  for (const SpecSetting& s : settings) {
    // Command-line overrides (line < 0) apply like the campaign's `set`.
    const std::string prefix = s.line < 0 ? "override '" + s.key + "=" + s.value + "': "
                                          : describe_line(file, s.line) + ": key '" + where + s.key + "': ";
    if (s.key == "name" || s.key == "out")
      throw ConfigError(prefix + "set by the campaign (the variant name and its run folder)");
    if (variant && is_campaign_shared_key(s.key))
      throw ConfigError(prefix + "the campaign's experiments share one infrastructure; set it in the "
                                 "campaign's top-level `set`, not per variant");
    const std::string origin = s.line < 0 ? "override '" + s.key + "=" + s.value + "'" : describe_line(file, s.line);
    try {
      config.set(s.key, s.value, origin);
    } catch (const ConfigError& e) {
      std::string why = e.what();
      // Config::set says "set 'k=v': key 'k': why" or "set 'k': unknown key";
      // keep only the reason, the prefix already names the key.
      auto pos = why.find("': ");
      throw ConfigError(prefix + (pos == std::string::npos ? why : why.substr(why.rfind("': ") + 3)));
    }
  }
}

}  // namespace

bool is_campaign_shared_key(const std::string& key) {
  static const std::set<std::string> shared = {"redis",         "redis_appendfsync", "redis_restarts", "broker",
                                               "workers",       "local_workers",     "worker_slots",
                                               "sim.cost_ms",   "render.backend",    "render.service",
                                               "write_images"};
  return shared.count(key) > 0;
}

std::vector<CampaignCell> expand_campaign(const CampaignSpec& spec) {
  Config base = load_experiment_config(spec.base_path, {});
  apply(base, spec.set, spec.file, "set.", false);
  const long long seed_base = spec.has_seed_base ? spec.seed_base : base.get_int("seed");
  std::vector<CampaignCell> cells;
  for (std::size_t v = 0; v < spec.variants.size(); ++v) {
    const CampaignVariant& variant = spec.variants[v];
    Config vc = base;
    apply(vc, variant.set, spec.file, "variants[" + std::to_string(v) + "].set.", true);
    for (int k = 0; k < spec.repeats; ++k) {
      CampaignCell cell;
      cell.variant = variant.name;
      cell.repeat = k;
      cell.name = variant.name + ".r" + std::to_string(k);
      cell.config = vc;
      const std::string by_campaign = spec.file + " (" + cell.name + ")";
      cell.config.set("name", variant.name, by_campaign);
      cell.config.set("seed", std::to_string(seed_base + k), by_campaign);
      if (spec.taste_from_repeat)
        cell.config.set("sim.taste_seed", std::to_string(spec.taste_base + k), by_campaign);
      if (!spec.tastes.empty())
        cell.config.set("sim.taste_seed", std::to_string(spec.tastes[static_cast<std::size_t>(k)]), by_campaign);
      cells.push_back(std::move(cell));
    }
  }
  return cells;
}

}  // namespace bigpe::engine
