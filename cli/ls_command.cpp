// `bigpe ls [DIR]` (docs/campaigns.md).
#include <iostream>

#include "cli/commands.h"
#include "scheduler/report/run_listing.h"

namespace bigpe::cli {

void register_ls_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("ls", "runs and campaigns in a folder: kind, status, progress, renders, gain over I0");
  auto dir = std::make_shared<std::string>("runs");
  cmd->add_option("dir", *dir, "folder of run and campaign folders, or one of them")->capture_default_str();
  cmd->callback([dir] { throw CommandExit{engine::run_listing(*dir, std::cout)}; });
}

}  // namespace bigpe::cli
