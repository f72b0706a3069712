// `bigpe run CONFIG [key=value ...]` and `bigpe resume RUN [key=value ...]`.
#include <iostream>

#include "cli/commands.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/campaign/campaign_runner.h"
#include "scheduler/run/experiment_runner.h"

namespace bigpe::cli {

void register_run_command(CLI::App& app) {
  auto* run = app.add_subcommand("run", "run an experiment from a YAML config with key=value overrides");
  auto config = std::make_shared<std::string>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  run->add_option("config", *config, "experiment YAML file")->required();
  run->add_option("overrides", *overrides, "dotted key=value overrides, e.g. selector.c=1.0");
  run->callback([config, overrides] {
    engine::RunOutcome r = engine::run_experiment(*config, *overrides, std::cout);
    throw CommandExit{r.exit_code};
  });

  auto* resume = app.add_subcommand("resume", "continue an interrupted experiment (run folder) or campaign (campaign folder)");
  auto run_dir = std::make_shared<std::string>();
  auto resume_overrides = std::make_shared<std::vector<std::string>>();
  resume->add_option("run", *run_dir, "run folder, e.g. runs/<experiment-id>")->required();
  resume->add_option("overrides", *resume_overrides,
                     "key=value overrides of keys that do not change the experiment (workers, endpoints)");
  resume->callback([run_dir, resume_overrides] {
    if (engine::has_campaign_file(*run_dir)) {  // a campaign folder resumes as a whole
      engine::CampaignOutcome c = engine::resume_campaign(*run_dir, *resume_overrides, std::cout);
      throw CommandExit{c.exit_code};
    }
    engine::RunOutcome r = engine::resume_experiment(*run_dir, *resume_overrides, std::cout);
    throw CommandExit{r.exit_code};
  });
}

}  // namespace bigpe::cli
