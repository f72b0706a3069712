#include "scheduler/campaign/campaign_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "common/json_strict.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/store/run_folder.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

std::string variants_json(const CampaignSpec& spec) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const CampaignVariant& v : spec.variants) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    o["name"] = v.name;
    nlohmann::ordered_json set = nlohmann::ordered_json::object();
    for (const SpecSetting& s : v.set) set[s.key] = s.value;
    o["set"] = set;
    a.push_back(o);
  }
  return json::dump_strict(a);
}

RunFile run_file_of(const CampaignFile& c, const CampaignMember& m, const Config& config) {
  RunFile rf;
  rf.experiment_id = m.experiment_id;
  rf.values = config.values();
  rf.infra_dir = "../..";  // experiments/<name>/ -> the campaign folder
  rf.campaign_id = c.campaign_id;
  rf.variant = m.variant;
  rf.repeat = m.repeat;
  return rf;
}

}  // namespace

// A new campaign folder from the expanded grid.
Plan plan_new(const CampaignSpec& spec, const std::vector<CampaignCell>& cells, const std::string& out_dir) {
  Plan p;
  p.file.campaign_id = new_run_id(spec.name);
  p.file.name = spec.name;
  p.file.file = fs::absolute(spec.file).lexically_normal().string();
  p.file.variants_json = variants_json(spec);
  p.dir = out_dir.empty() ? "runs/" + p.file.campaign_id : out_dir;
  for (const CampaignCell& cell : cells) {  // checked already (check_members)
    CampaignMember m{p.file.campaign_id + "." + cell.name, cell.variant, cell.repeat, "experiments/" + cell.name};
    p.file.members.push_back(m);
    p.experiments.push_back({m, cell.config});
  }
  fs::create_directories(p.dir);
  for (const PlannedExperiment& e : p.experiments) {
    const std::string run_dir = p.dir + "/" + e.member.run_dir;
    fs::create_directories(run_dir);
    write_run_file(run_dir, run_file_of(p.file, e.member, e.config));
  }
  write_campaign_file(p.dir, p.file);  // last: its presence means the folder is complete
  return p;
}

// An existing campaign folder, checked against the campaign file's grid
// (members matched by their folder, experiments/<variant>.r<k>). The grid
// may add repeats to the stored variants: those become new members, run
// with the rest (finished ones are skipped). Anything else that differs is
// refused with every difference listed.
Plan plan_existing(const std::vector<CampaignCell>& cells, const std::string& dir) {
  Plan p;
  p.dir = dir;
  p.file = read_campaign_file(dir);
  std::map<std::string, const CampaignMember*> stored;  // by run_dir
  std::map<std::string, int> stored_repeats;             // by variant
  for (const CampaignMember& m : p.file.members) {
    stored[m.run_dir] = &m;
    stored_repeats[m.variant] = std::max(stored_repeats[m.variant], m.repeat + 1);
  }
  std::string problems;
  std::set<std::string> in_grid, new_variants;
  std::vector<CampaignMember> members;  // grid order: variant-major, repeats in order
  std::map<std::string, int> grid_repeats;
  for (const CampaignCell& cell : cells) {
    const std::string run_dir = "experiments/" + cell.name;
    in_grid.insert(run_dir);
    grid_repeats[cell.variant] = std::max(grid_repeats[cell.variant], cell.repeat + 1);
    auto it = stored.find(run_dir);
    if (it == stored.end()) {
      if (!stored_repeats.count(cell.variant)) {
        if (new_variants.insert(cell.variant).second)
          problems += "\n  variant " + cell.variant + ": not in the campaign (a new variant is a new campaign)";
        continue;
      }
      if (cell.repeat < stored_repeats[cell.variant]) {
        problems += "\n  " + run_dir + ": missing from the campaign folder";
        continue;
      }
      CampaignMember m{p.file.campaign_id + "." + cell.name, cell.variant, cell.repeat, run_dir};
      members.push_back(m);
      p.experiments.push_back({m, cell.config});
      ++p.added;
      continue;
    }
    const CampaignMember& m = *it->second;
    RunFile rf = read_run_file(dir + "/" + m.run_dir);
    Config stored_config = Config::from_values(rf.values, experiment_schema(), dir + "/" + m.run_dir + "/run.json");
    for (const std::string& k : stored_config.result_affecting_differences(cell.config))
      problems += "\n  " + cell.name + ": " + k + ": stored '" + stored_config.values().at(k) + "', now '" +
                  cell.config.values().at(k) + "'";
    members.push_back(m);
    p.experiments.push_back({m, cell.config});
  }
  for (const auto& [variant, n] : stored_repeats)
    if (grid_repeats.count(variant) && grid_repeats[variant] < n)
      problems += "\n  variant " + variant + ": the campaign holds " + std::to_string(n) + " repeats, the grid " +
                  std::to_string(grid_repeats[variant]) + " (repeats may grow, never shrink)";
    else if (!grid_repeats.count(variant))
      problems += "\n  variant " + variant + ": in the campaign, not in the grid";
  if (!problems.empty())
    throw std::runtime_error("campaign " + p.file.campaign_id + " in " + dir +
                             ": the campaign file changes its experiments; refusing to resume (only more repeats "
                             "may be added). Differences:" + problems);
  for (const PlannedExperiment& e : p.experiments) {
    fs::create_directories(dir + "/" + e.member.run_dir);
    write_run_file(dir + "/" + e.member.run_dir, run_file_of(p.file, e.member, e.config));
  }
  if (p.added > 0) {
    p.file.members = members;
    write_campaign_file(dir, p.file);  // after the new members' folders, as for a new campaign
  }
  return p;
}

}  // namespace bigpe::engine
