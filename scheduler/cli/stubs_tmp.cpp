// TEMPORARY: lets `bigpe` link until the worker engineer lands the real
// bench command. Delete this file when they do.
#include "scheduler/cli/commands.h"

namespace bigpe::cli {
void register_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "benchmarks");
  bench->require_subcommand(1);
  register_bench_scheduler(*bench);
}
}  // namespace bigpe::cli
