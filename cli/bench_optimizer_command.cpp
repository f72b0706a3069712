// `bigpe bench optimizer`: see bench/optimizer/optimizer_bench.h.
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "bench/optimizer/optimizer_bench.h"

namespace bigpe::cli {
namespace {

// "A..B" or "A" -> [A, B].
void parse_range(const std::string& text, int* first, int* last) {
  const std::size_t dots = text.find("..");
  try {
    *first = std::stoi(text.substr(0, dots));
    *last = dots == std::string::npos ? *first : std::stoi(text.substr(dots + 2));
  } catch (const std::exception&) {
    throw CLI::ValidationError("--tastes", "expected FIRST..LAST, got '" + text + "'");
  }
  if (*first < 0 || *last < *first) throw CLI::ValidationError("--tastes", "expected 0 <= FIRST <= LAST");
}

}  // namespace

void register_bench_optimizer(CLI::App& bench) {
  auto* cmd = bench.add_subcommand(
      "optimizer", "held-out gain at fixed render budgets: paper loop vs budget loop allocators (sim-v1)");
  auto o = std::make_shared<engine::OptimizerBenchOptions>();
  auto tastes = std::make_shared<std::string>("0..9");
  cmd->add_option("--tastes", *tastes, "taste seeds FIRST..LAST")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "runs per taste and config")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--threads", o->threads, "threads (0: one per core)")->check(CLI::Range(0, 1024))->capture_default_str();
  cmd->add_option("--budgets", o->budgets, "render budgets")->delimiter(',')->capture_default_str();
  cmd->add_option("--configs", o->configs,
                  "paper, ucb, greedy, eps-greedy, successive-halving, successive-rejects; the first "
                  "budget-loop config is the one in the ratio")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--set", o->overrides, "key=value for every budget-loop config (repeatable)");
  cmd->add_option("--judge-rho", o->judge_rho,
                  "also score with sim-judge at this agreement with sim, in [-1, 1], and report the gains on it")
      ->check(CLI::Range(-1.0, 1.0));
  cmd->add_flag("--curve", o->curve, "also evaluate at intermediate render counts (gain against renders)");
  cmd->callback([o, tastes] {
    parse_range(*tastes, &o->first_taste, &o->last_taste);
    throw CommandExit{engine::run_optimizer_bench(*o, std::cout)};
  });
}

}  // namespace bigpe::cli
