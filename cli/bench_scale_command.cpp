// `bigpe bench scale`: see bench/scale/scale_bench.h.
#include <iostream>

#include "bench/scale/scale_bench.h"
#include "cli/commands.h"
#include "schemas/protocol.h"

namespace bigpe::cli {

void register_bench_scale(CLI::App& bench) {
  auto o = std::make_shared<bench::ScaleBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "scale", "Broker memory and dispatch rate with a deep queue and many workers (loopback load driver)");
  cmd->add_option("--tasks", o->tasks, "Tasks queued")->check(CLI::Range(1L, 100000000L))->capture_default_str();
  cmd->add_option("--workers", o->workers, "Simulated workers")->check(CLI::Range(1, 20000))->capture_default_str();
  cmd->add_option("--slots", o->slots, "Credit per worker")->check(CLI::Range(1, schemas::kMaxSlots))->capture_default_str();
  cmd->add_option("--body-bytes", o->body_bytes, "Bytes per task body")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  cmd->add_option("--drain-seconds", o->drain_seconds, "Longest drain")->check(CLI::Range(0.5, 3600.0))->capture_default_str();
  cmd->add_option("--timeout-seconds", o->timeout_seconds, "Longest submit phase")->check(CLI::Range(1.0, 3600.0))->capture_default_str();
  cmd->callback([o] { throw CommandExit{bench::run_scale_bench(*o, std::cout)}; });
}

}  // namespace bigpe::cli
