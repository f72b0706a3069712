// `bigpe bench scheduler`: see bench/scheduler/scheduler_bench.h.
#include <iostream>

#include "cli/commands.h"
#include "bench/scheduler/scheduler_bench.h"

namespace bigpe::cli {

void register_bench_scheduler(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("scheduler", "worker utilization of the scheduler with 64 sim workers");
  auto o = std::make_shared<engine::SchedulerBenchOptions>();
  cmd->add_option("--workers", o->workers, "in-process sim workers")->capture_default_str();
  cmd->add_option("--batch", o->batch, "queries per iteration")->capture_default_str();
  cmd->add_option("--iterations", o->iterations, "iterations")->capture_default_str();
  cmd->add_option("--cost-ms", o->cost_ms, "sim render cost")->capture_default_str();
  cmd->add_flag("!--no-prefetch", o->prefetch, "do not submit the next step's renders early");
  cmd->add_flag("!--no-overlap", o->overlap, "llm.overlap=false: the roles' LLM calls one after another");
  cmd->add_option("--llm-latency-ms", o->llm_latency_ms, "simulated latency of each uncached LLM call (0: none)")
      ->capture_default_str();
  cmd->add_option("--llm-latency-sd-ms", o->llm_latency_sd_ms, "sd of the simulated latency (lognormal)")
      ->capture_default_str();
  cmd->add_option("--llm-concurrency", o->llm_concurrency, "LLM calls the simulated server serves at once")
      ->capture_default_str();
  cmd->add_option("--experiments", o->experiments, "experiments of one campaign sharing the workers")
      ->capture_default_str();
  cmd->callback([o] { throw CommandExit{engine::run_scheduler_bench(*o, std::cout)}; });
}

}  // namespace bigpe::cli
