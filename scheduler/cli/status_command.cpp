// `bigpe status` (docs/campaigns.md).
#include "scheduler/cli/commands.h"

namespace bigpe::cli {

void register_status_command(CLI::App& app) {
  app.add_subcommand("status", "(in progress)")->callback([] { throw CommandExit{1}; });
}

}  // namespace bigpe::cli
