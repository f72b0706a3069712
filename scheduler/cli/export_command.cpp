// `bigpe export` (docs/campaigns.md).
#include "scheduler/cli/commands.h"

namespace bigpe::cli {

void register_export_command(CLI::App& app) {
  app.add_subcommand("export", "(in progress)")->callback([] { throw CommandExit{1}; });
}

}  // namespace bigpe::cli
