#pragma once
// CampaignRunner: `bigpe campaign FILE [--resume]` and resuming a campaign
// folder. Expands the grid (campaign_grid.h), makes the campaign folder
// (campaign_folder.h), starts ONE infrastructure for all experiments (one
// private redis-server, one embedded broker whose fair share interleaves the
// experiments, one local worker pool), runs every experiment on its own
// thread with its own Redis and broker connections (at most `concurrency`
// at once), records bigpe:campaign:<id>, and writes the summary tables.
// A campaign resumes as a whole: finished experiments are skipped (their
// reports rewritten), stopped ones continue, unstarted ones start; from its
// file it may also gain repeats (new members run, the summary covers all).
//
// Thread-safety: call from the main thread; it owns the threads it starts.
#include <iosfwd>
#include <string>
#include <vector>

namespace bigpe::engine {

struct CampaignOutcome {
  int exit_code = 0;  // 0 all finished, 2 some stopped (resumable), 1 refused / bad input
  std::string campaign_id;
  std::string dir;
};

// `out_dir` empty: runs/<campaign-id> (a new campaign), or with `resume`
// the newest runs/<name>-*/ of this campaign. A folder that already holds
// the campaign is continued when its experiments' meaning is unchanged and
// refused (listing the differing keys) otherwise, except for more repeats,
// which are added. `overrides` are key=value settings applied to every
// experiment, after the file's `set`; `repeats=N` sets the campaign's
// repeats (apply_campaign_override, campaign_spec.h).
CampaignOutcome run_campaign(const std::string& file, bool resume, const std::string& out_dir,
                             const std::vector<std::string>& overrides, std::ostream& out);

// `bigpe resume CAMPAIGN_DIR [key=value ...]` (only keys that do not change
// an experiment's meaning).
CampaignOutcome resume_campaign(const std::string& dir, const std::vector<std::string>& overrides,
                                std::ostream& out);

}  // namespace bigpe::engine
