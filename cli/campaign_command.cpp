// `bigpe campaign FILE [--resume] [--out DIR] [repeats=N] [key=value ...]`
// (docs/campaigns.md).
#include <iostream>

#include "cli/commands.h"
#include "scheduler/campaign/campaign_runner.h"

namespace bigpe::cli {

void register_campaign_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("campaign", "run a grid of experiments (variants x repeats) over one worker pool");
  auto file = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  auto resume = std::make_shared<bool>(false);
  auto overrides = std::make_shared<std::vector<std::string>>();
  cmd->add_option("file", *file, "campaign YAML file (docs/campaigns.md)")->required();
  cmd->add_option("overrides", *overrides,
                  "key=value settings for every experiment, e.g. sim.cost_ms=0; repeats=N sets the campaign's "
                  "repeats (on an existing campaign: adds the new ones)");
  cmd->add_flag("--resume", *resume, "continue the newest runs/<name>-*/ of this campaign (or --out DIR)");
  cmd->add_option("--out", *out_dir, "campaign folder (default runs/<campaign-id>)");
  cmd->callback([file, out_dir, resume, overrides] {
    engine::CampaignOutcome r = engine::run_campaign(*file, *resume, *out_dir, *overrides, std::cout);
    throw CommandExit{r.exit_code};
  });
}

}  // namespace bigpe::cli
