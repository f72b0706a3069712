#pragma once
// The campaign folder on disk, runs/<campaign-id>/:
//   campaign.json          id, name, campaign file, variants, members
//   redis/  images/        the shared private redis-server and images
//   experiments/<variant>.r<k>/   each experiment's run folder (run.json
//                          with infra_dir "../..", report.*, console.log)
//   summary.csv, table.csv, summary.md   written when the campaign ends
//   console.log            everything the campaign printed (console_log.h)
//   .lock, live.json       while a process runs it (run_lock.h)
// campaign.json is enough to resume (`bigpe resume runs/<campaign-id>`).
//
// Thread-safety: pure functions over files.
#include <string>
#include <vector>

#include "scheduler/store/campaign_store.h"

namespace bigpe::engine {

struct CampaignFile {
  std::string campaign_id;
  std::string name;
  std::string file;           // the campaign YAML (absolute)
  std::string variants_json;  // [{name, set}]
  std::vector<CampaignMember> members;
};

bool has_campaign_file(const std::string& dir);
// Throws std::runtime_error naming the file.
void write_campaign_file(const std::string& dir, const CampaignFile& c);
CampaignFile read_campaign_file(const std::string& dir);

// The newest runs/<name>-*/ holding a campaign.json of that name, or "".
std::string find_latest_campaign(const std::string& runs_dir, const std::string& name);

}  // namespace bigpe::engine
