// `bigpe bench`: the benchmark subcommands. `fabric` lives here; others
// (scheduler) register themselves under the same `bench` command.
#include <iostream>

#include "bench/fabric/fabric_bench.h"
#include "cli/commands.h"

namespace bigpe::cli {

void register_bench_fabric(CLI::App& bench) {
  auto o = std::make_shared<bench::FabricBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "fabric", "Round-trip rate: raw ZeroMQ vs broker + workers vs persisted to Redis");
  cmd->add_option("--seconds", o->seconds, "Seconds per phase")->check(CLI::Range(0.1, 600.0))->capture_default_str();
  cmd->add_option("--window", o->window, "Messages in flight")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--payload", o->payload, "Bytes per message (task body)")
      ->check(CLI::Range(64, 1 << 24))
      ->capture_default_str();
  cmd->add_option("--workers", o->workers, "Echo threads / local workers")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_flag("--threads", o->thread_cpu, "Also print CPU per round trip for each thread");
  cmd->add_flag("!--tcp", o->inproc,
                "Client and workers reach the in-process broker over loopback TCP instead of inproc");
  cmd->callback([o] { bench::run_fabric_bench(*o, std::cout); });
}

void register_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  register_bench_fabric(*bench);
  register_bench_models(*bench);
  register_bench_scale(*bench);
  register_bench_scheduler(*bench);
  register_bench_optimizer(*bench);
}

}  // namespace bigpe::cli
