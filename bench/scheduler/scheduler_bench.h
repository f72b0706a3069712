#pragma once
// `bigpe bench scheduler`: how well the scheduler keeps a large worker pool
// busy. One experiment with a batch of 64 queries (several hundred renders
// per iteration) on 64 in-process sim workers whose renders cost a fixed
// 50 ms, through the real broker and a private redis-server.
//
// With --llm-latency-ms the heuristic LLM waits like a real server
// (llm.sim_latency_ms, llm.sim_max_concurrency = --llm-concurrency, and
// the engine issues that many calls at once). With --experiments K it runs
// a campaign of K experiments (seeds 0..K-1) sharing one worker pool and
// one simulated LLM server.
//
// Prints per iteration the wall time and the critical-path limit, the
// shortest the iteration could take given this run's timings if the roles
// run one after another: the longer of
//  - the LLM chain: for each agent role, the longer of its longest call and
//    its calls' total latency over the server's concurrency, summed over
//    the roles (each waits on the one before), plus one render (the arms'
//    renders sit between the generator and the gradient calculator); and
//  - the render work: the iteration's worker busy time over the workers.
// With llm.overlap (the default; --no-overlap turns it off) the engine asks
// for the next iteration's prompts of surviving instructions while the
// gradient calculator and modifier run, so it can beat the limit, but not
// the floor: the longest of every role's longest call in a row plus one
// render, every call's latency over the server's concurrency, and the
// render work.
// Then the worker utilization (worker busy time over workers x loop wall
// time; for a campaign, over the span from the first loop's start to the
// last one's end). The last line is `utilization=<x>`.
#include <iosfwd>
#include <string>

namespace bigpe::engine {

struct SchedulerBenchOptions {
  int workers = 64;
  int batch = 64;
  int iterations = 10;
  double cost_ms = 50;
  bool prefetch = true;
  bool overlap = true;           // llm.overlap
  double llm_latency_ms = 0;     // 0: the heuristic LLM answers at once
  double llm_latency_sd_ms = 0;
  int llm_concurrency = 16;      // simulated server slots (with latency only)
  int experiments = 1;           // > 1: a campaign sharing the workers
};

int run_scheduler_bench(const SchedulerBenchOptions& options, std::ostream& out);

}  // namespace bigpe::engine
