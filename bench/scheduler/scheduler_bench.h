#pragma once
// `bigpe bench scheduler`: how well the scheduler keeps a large worker pool
// busy. One experiment with a batch of 64 queries (several hundred renders
// per iteration) on 64 in-process sim workers whose renders cost a fixed
// 50 ms, through the real broker and a private redis-server. Prints worker
// utilization (worker busy time over workers x loop wall time) and the
// scheduler's own time per iteration; the last line is `utilization=<x>`.
#include <iosfwd>
#include <string>

namespace bigpe::engine {

struct SchedulerBenchOptions {
  int workers = 64;
  int batch = 64;
  int iterations = 10;
  double cost_ms = 50;
  bool prefetch = true;
};

int run_scheduler_bench(const SchedulerBenchOptions& options, std::ostream& out);

}  // namespace bigpe::engine
