#pragma once
// The plan of a campaign run: which experiments, with which configs, in
// which campaign folder. plan_new() makes a new campaign folder from the
// expanded grid; plan_existing() checks an existing one against the grid
// and adds the repeats the grid has beyond the folder's (the one change a
// campaign accepts), refusing anything else with every difference listed.
// Both write the members' run.json and campaign.json (last, so its
// presence means the folder is complete). Internal to scheduler/campaign.
//
// Thread-safety: functions over files; one caller per campaign folder.
#include <string>
#include <vector>

#include "common/config.h"
#include "scheduler/campaign/campaign_grid.h"
#include "scheduler/campaign/campaign_spec.h"
#include "scheduler/store/campaign_folder.h"

namespace bigpe::engine {

struct PlannedExperiment {
  CampaignMember member;
  Config config;
};

// What a campaign process runs.
struct Plan {
  CampaignFile file;
  std::string dir;
  int concurrency = 0;
  std::vector<PlannedExperiment> experiments;
  int added = 0;  // new repeats of an existing campaign
};

// REQUIRES: the cells were checked (check_experiment). Throws naming the
// file that could not be written.
Plan plan_new(const CampaignSpec& spec, const std::vector<CampaignCell>& cells, const std::string& out_dir);
// Throws std::runtime_error listing every difference between the grid and
// the folder's experiments other than added repeats.
Plan plan_existing(const std::vector<CampaignCell>& cells, const std::string& dir);

}  // namespace bigpe::engine
