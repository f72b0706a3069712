// TEMPORARY: lets `bigpe` link until the worker engineer lands the real
// worker and bench commands. Delete this file when they do.
#include "scheduler/cli/commands.h"

namespace bigpe::cli {
void register_bench_command(CLI::App&) {}
}  // namespace bigpe::cli
