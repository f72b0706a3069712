// `bigpe diff RUN RUN` (docs/campaigns.md).
#include <iostream>

#include "cli/commands.h"
#include "scheduler/report/run_diff.h"

namespace bigpe::cli {

void register_diff_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("diff", "two run folders compared: config keys that differ, results, final instruction");
  auto left = std::make_shared<std::string>();
  auto right = std::make_shared<std::string>();
  cmd->add_option("left", *left, "run folder, e.g. runs/<experiment-id>")->required();
  cmd->add_option("right", *right, "run folder to compare with")->required();
  cmd->callback([left, right] { throw CommandExit{engine::run_diff(*left, *right, std::cout)}; });
}

}  // namespace bigpe::cli
