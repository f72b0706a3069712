#pragma once
// `bigpe bench optimizer`: held-out gain at fixed render budgets on the
// sim-v1 standard task (heuristic agents at gc_specific 0.5), for the
// paper's loop and the budget loop under each allocator.
//
// Every run is in process: InProcessRenderService, the HeuristicLlm called
// directly (no Redis cache), store = nullptr. Runs are independent and go
// to `threads` threads; the agents, the professional database and the
// vocabulary are shared (their contracts make them safe for concurrent
// use), each run owns its render service. Run (config, budget, taste,
// repeat) uses experiment seed 1000 * taste + repeat, so every config
// starts from the same streams and differences are paired on
// (taste, repeat).
//
// Output: one row per (config, budget) with the held-out gain over I0 and
// over the professional prompt (95% intervals over runs), the paired
// difference against the paper loop at the same budget, the renders spent
// and how they were spent; the last line is
// `ratio=<budget loop gain at 270 / paper loop gain at 270>`.
//
// With judge_rho (--judge-rho R): every run scores each render with sim
// (optimized) and sim-judge at rho R (held out: score.judges), a second
// table gives the held-out gain over I0 on both, and the last line is the
// ratio of the judge's gains instead.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace bigpe::engine {

struct OptimizerBenchOptions {
  int first_taste = 0;
  int last_taste = 9;
  int repeats = 10;
  int threads = 0;  // 0: hardware concurrency
  std::vector<long> budgets = {270, 1100};
  // Configs by name: paper, ucb, greedy, eps-greedy, successive-halving,
  // successive-rejects. The first budget-loop config is "the budget loop"
  // of the ratio line.
  std::vector<std::string> configs = {"greedy", "paper", "ucb", "eps-greedy", "successive-halving",
                                      "successive-rejects"};
  // key=value applied to every budget-loop config (for tuning).
  std::vector<std::string> overrides;
  // Also evaluate the first budget config and the paper loop at these
  // render counts on the way to the largest budget (gain against renders).
  bool curve = false;
  std::vector<long> curve_points = {60, 135, 270, 400, 550, 800, 1100};
  // sim-judge's agreement with sim (sim.judge_rho, in [-1, 1]); none: sim only.
  std::optional<double> judge_rho;
};

// Returns the process exit status (0 on success).
int run_optimizer_bench(const OptimizerBenchOptions& options, std::ostream& out);

}  // namespace bigpe::engine
