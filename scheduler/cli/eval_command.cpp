// `bigpe eval` (docs/campaigns.md).
#include "scheduler/cli/commands.h"

namespace bigpe::cli {

void register_eval_command(CLI::App& app) {
  app.add_subcommand("eval", "(in progress)")->callback([] { throw CommandExit{1}; });
}

}  // namespace bigpe::cli
