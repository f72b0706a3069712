#include "bench/optimizer/optimizer_bench.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <ostream>
#include <thread>

#include "common/config.h"
#include "common/csv_writer.h"
#include "common/parallel_for.h"
#include "backends/sim/sim_vocabulary.h"
#include "scheduler/engine/budget_loop.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/render/in_process_render_service.h"
#include "scheduler/render/score_target.h"
#include "scheduler/engine/optimization_loop.h"
#include "scheduler/engine/paper_loop.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "scheduler/stats/repeat_interval.h"

namespace bigpe::engine {
namespace {

// What the benchmark fixes for every run: sim-v1/std, no render cost, no
// infrastructure, LLM calls inline (the heuristic backend does not wait).
const std::vector<std::string> kTask = {"heuristic.gc_specific=0.5", "llm.max_concurrent=1", "sim.cost_ms=0",
                                        "iterations=100000", "eval.seeds=8"};

struct Shared {
  std::shared_ptr<const sim::Vocabulary> vocab;
  QuerySplit split;
  ProfessionalDb prodb;
  std::unique_ptr<HeuristicLlm> llm;
  std::unique_ptr<Generator> generator;
  std::unique_ptr<GradientCalculator> gradient;
  std::unique_ptr<InstructionModifier> modifier;
};

struct RunSpec {
  std::size_t config = 0;
  long budget = 0;
  int taste = 0;
  int repeat = 0;
};

struct RunResult {
  double gain_i0 = 0, gain_pro = 0;
  double spent = 0, arms = 0, final_cells = 0;
  std::vector<double> curve;  // gain over I0 at each curve point reached
  // With judge_rho: the gain over I0 on the judge, and the half-widths of
  // the run's own paired evaluation intervals (optimized, judge).
  double judge_i0 = 0, eval_half = 0, judge_eval_half = 0;
};

const char* const kJudge = "sim-judge";

std::vector<std::string> config_overrides(const std::string& name, const OptimizerBenchOptions& o) {
  if (name == "paper") return {"loop=paper", "selector.kind=ucb", "batch_size=3", "pool_size=3"};
  std::vector<std::string> v = {"loop=budget", "selector.kind=" + name};
  v.insert(v.end(), o.overrides.begin(), o.overrides.end());
  return v;
}

// Mean of the per-cell paired differences (the evaluation's own intervals
// are not needed: run-to-run variation dominates).
double gain(const EvaluationResult& e, const char* other) {
  const std::vector<double>& a = e.find("optimized")->values;
  const std::vector<double>& b = e.find(other)->values;
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] - b[i];
  return a.empty() ? 0.0 : sum / static_cast<double>(a.size());
}

// Half-width of the evaluation's paired 95% interval of optimized - baseline.
double paired_half_width(const EvaluationResult& e) {
  const MethodResult d = paired_difference(*e.find("optimized"), *e.find("baseline"), "optimized - baseline");
  return (d.ci_high - d.ci_low) / 2;
}

RunResult run_one(const Shared& sh, const OptimizerBenchOptions& o, const RunSpec& spec) {
  std::vector<std::string> overrides = kTask;
  std::vector<std::string> mine = config_overrides(o.configs[spec.config], o);
  overrides.insert(overrides.end(), mine.begin(), mine.end());
  overrides.push_back("seed=" + std::to_string(1000 * spec.taste + spec.repeat));
  overrides.push_back("sim.taste_seed=" + std::to_string(spec.taste));
  overrides.push_back("budget.renders=" + std::to_string(spec.budget));
  if (o.judge_rho) {
    const std::vector<std::string> judged = {"score.scorers=sim," + std::string(kJudge), "score.optimize=sim",
                                             "score.judges=" + std::string(kJudge),
                                             "sim.judge_rho=" + csv_number(*o.judge_rho)};
    overrides.insert(overrides.end(), judged.begin(), judged.end());
  }
  const Config config = Config::parse("", "bench optimizer", experiment_schema(), overrides);
  const ExperimentSettings s = settings_from(config);

  schemas::RenderParams params;
  params.options["sim.taste_seed"] = std::to_string(spec.taste);
  std::vector<std::string> scorers;
  if (o.judge_rho) {
    params.options["sim.judge_rho"] = csv_number(s.sim_judge_rho);
    scorers = scorer_list(s.score_scorers, "sim");
  }
  InProcessRenderService renders(sh.vocab, params, scorers, parse_score_target(s.score_optimize));
  EngineContext ctx{s, "bench", sh.split, sh.prodb, *sh.generator, *sh.gradient, *sh.modifier, renders, nullptr};
  ExperimentState state;
  seed_pool(state, s.initial_instruction);
  std::unique_ptr<OptimizationLoop> loop = make_loop(ctx);
  RunResult r;
  std::size_t next_point = 0;
  const bool curve = o.curve && (spec.config == 0 || o.configs[spec.config] == "paper");
  while (!state.finished) {
    loop->run_iteration(state);
    for (; curve && next_point < o.curve_points.size() && state.renders_spent >= o.curve_points[next_point];
         ++next_point)
      r.curve.push_back(gain(evaluate(ctx, state.instructions.at(state.final_id).text), "baseline"));
  }
  EvaluationResult e = evaluate(ctx, state.instructions.at(state.final_id).text);
  r.gain_i0 = gain(e, "baseline");
  r.gain_pro = gain(e, "professional");
  if (o.judge_rho) {
    const EvaluationResult judged = e.judged_by(kJudge);
    r.judge_i0 = gain(judged, "baseline");
    r.eval_half = paired_half_width(e);
    r.judge_eval_half = paired_half_width(judged);
  }
  r.spent = static_cast<double>(state.renders_spent);
  for (const auto& [text, h] : state.history)
    if (text != BudgetLoop::kProfessionalKey && !h.scores.empty()) r.arms += 1;
  r.final_cells = static_cast<double>(state.history[state.instructions.at(state.final_id).text].scores.size());
  return r;
}

struct Interval {
  double mean = 0, low = 0, high = 0;
};

// Mean and 95% interval over runs: the repeats rule (repeat_interval.h).
Interval interval(const std::vector<double>& v) {
  const RepeatInterval r = repeat_interval(v);
  return {r.mean, r.low, r.high};
}

std::string fmt(const Interval& i, const char* spec = "%+.2f") {
  char a[32], b[32], c[32], out[112];
  std::snprintf(a, sizeof a, spec, i.mean);
  std::snprintf(b, sizeof b, spec, i.low);
  std::snprintf(c, sizeof c, spec, i.high);
  std::snprintf(out, sizeof out, "%s [%s, %s]", a, b, c);
  return out;
}

template <typename Get>
std::vector<double> column(const std::vector<RunResult>& rs, Get get) {
  std::vector<double> v;
  for (const RunResult& r : rs) v.push_back(get(r));
  return v;
}

}  // namespace

int run_optimizer_bench(const OptimizerBenchOptions& o, std::ostream& out) {
  Shared sh;
  sh.vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()));
  std::vector<std::string> all = load_queries(default_queries_path());
  sh.split = split_queries(all, paper_table2_queries(), 20);
  sh.prodb = ProfessionalDb::synthetic(all, *sh.vocab, 0);
  HeuristicOptions ho;
  ho.gc_specific = 0.5;
  sh.llm = std::make_unique<HeuristicLlm>(sh.vocab, ho);
  AgentOptions ao;
  ao.model = sh.llm->model_id();
  sh.generator = std::make_unique<Generator>(*sh.llm, ao);
  sh.gradient = std::make_unique<GradientCalculator>(*sh.llm, ao);
  sh.modifier = std::make_unique<InstructionModifier>(*sh.llm, ao);

  const int tastes = o.last_taste - o.first_taste + 1;
  const int runs_per_cell = tastes * o.repeats;
  std::vector<RunSpec> specs;
  for (std::size_t c = 0; c < o.configs.size(); ++c)
    for (long b : o.budgets)
      for (int t = o.first_taste; t <= o.last_taste; ++t)
        for (int r = 0; r < o.repeats; ++r) specs.push_back({c, b, t, r});
  const int threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  {
    std::string extra;
    for (const std::string& k : o.overrides) extra += " " + k;
    out << "bench optimizer: sim-v1/std (gc_specific 0.5), tastes " << o.first_taste << ".." << o.last_taste
        << " x " << o.repeats << " repeats, " << specs.size() << " runs on " << threads << " threads"
        << (extra.empty() ? "" : "; budget-loop overrides:" + extra)
        << (o.judge_rho ? "; optimizes sim, held-out judge " + std::string(kJudge) + " at rho " + csv_number(*o.judge_rho)
                        : "")
        << "\n";
    out.flush();
  }

  std::vector<RunResult> results(specs.size());
  std::string error;
  try {
    parallel_for(specs.size(), threads, [&](std::size_t i) { results[i] = run_one(sh, o, specs[i]); });
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    out << "bench optimizer: " << error << "\n";
    return 1;
  }

  // results are config-major, then budget, then (taste, repeat): slices pair up.
  auto slice = [&](std::size_t c, std::size_t b) {
    const std::size_t at = (c * o.budgets.size() + b) * static_cast<std::size_t>(runs_per_cell);
    return std::vector<RunResult>(results.begin() + static_cast<long>(at),
                                  results.begin() + static_cast<long>(at + runs_per_cell));
  };
  const auto paper_at = std::find(o.configs.begin(), o.configs.end(), "paper");
  const auto first_budget = std::find_if(o.configs.begin(), o.configs.end(), [](const std::string& c) { return c != "paper"; });
  char line[512];
  std::snprintf(line, sizeof line, "%-20s %6s %8s  %-24s %-24s %-24s %6s %6s\n", "config", "budget", "renders",
                "gain over I0 [95% CI]", "gain over pro [95% CI]", "vs paper loop [95% CI]", "arms", "cells*");
  out << line;
  for (std::size_t b = 0; b < o.budgets.size(); ++b)
    for (std::size_t c = 0; c < o.configs.size(); ++c) {
      std::vector<RunResult> rs = slice(c, b);
      std::vector<double> g = column(rs, [](const RunResult& r) { return r.gain_i0; });
      std::string vs = "-";
      if (paper_at != o.configs.end() && o.configs[c] != "paper") {
        std::vector<RunResult> ps = slice(static_cast<std::size_t>(paper_at - o.configs.begin()), b);
        std::vector<double> d;
        for (std::size_t i = 0; i < rs.size(); ++i) d.push_back(rs[i].gain_i0 - ps[i].gain_i0);
        vs = fmt(interval(d));
      }
      std::snprintf(line, sizeof line, "%-20s %6ld %8.0f  %-24s %-24s %-24s %6.1f %6.1f\n",
                    (o.configs[c] == "paper" ? "paper ucb b3" : ("budget " + o.configs[c]).c_str()),
                    o.budgets[b], interval(column(rs, [](const RunResult& r) { return r.spent; })).mean,
                    fmt(interval(g)).c_str(),
                    fmt(interval(column(rs, [](const RunResult& r) { return r.gain_pro; }))).c_str(), vs.c_str(),
                    interval(column(rs, [](const RunResult& r) { return r.arms; })).mean,
                    interval(column(rs, [](const RunResult& r) { return r.final_cells; })).mean);
      out << line;
    }
  out << "arms: instructions rendered at least once; cells*: renders of the final instruction "
         "(paper loop: per-query scores)\n";

  // Spending of the allocators, with intervals: how many instructions each
  // tried and how much evidence the chosen one had, paired against the
  // first budget-loop config.
  if (first_budget != o.configs.end()) {
    const std::size_t ref = static_cast<std::size_t>(first_budget - o.configs.begin());
    out << "\nallocator spending, paired against budget " << o.configs[ref] << " (difference [95% CI]):\n";
    for (std::size_t b = 0; b < o.budgets.size(); ++b)
      for (std::size_t c = 0; c < o.configs.size(); ++c) {
        if (c == ref || o.configs[c] == "paper") continue;
        std::vector<RunResult> rs = slice(c, b), base = slice(ref, b);
        std::vector<double> dg, da, dc;
        for (std::size_t i = 0; i < rs.size(); ++i) {
          dg.push_back(rs[i].gain_i0 - base[i].gain_i0);
          da.push_back(rs[i].arms - base[i].arms);
          dc.push_back(rs[i].final_cells - base[i].final_cells);
        }
        std::snprintf(line, sizeof line, "  %-20s %6ld  gain %-24s arms %-26s cells* %-26s\n", o.configs[c].c_str(),
                      o.budgets[b], fmt(interval(dg)).c_str(), fmt(interval(da), "%+.1f").c_str(),
                      fmt(interval(dc), "%+.1f").c_str());
        out << line;
      }
  }

  if (o.curve && !o.budgets.empty()) {
    const std::size_t last = o.budgets.size() - 1;
    out << "\ngain over I0 against renders (runs at budget " << o.budgets[last] << "):\n";
    for (std::size_t c = 0; c < o.configs.size(); ++c) {
      if (!(c == static_cast<std::size_t>(first_budget - o.configs.begin()) || o.configs[c] == "paper")) continue;
      std::vector<RunResult> rs = slice(c, last);
      out << "  " << (o.configs[c] == "paper" ? "paper ucb b3" : "budget " + o.configs[c]) << ":";
      for (std::size_t p = 0; p < o.curve_points.size(); ++p) {
        std::vector<double> v;
        for (const RunResult& r : rs)
          if (p < r.curve.size()) v.push_back(r.curve[p]);
        if (v.size() < rs.size()) continue;
        std::snprintf(line, sizeof line, " %ld:%s", o.curve_points[p], fmt(interval(v)).c_str());
        out << line;
      }
      out << "\n";
    }
  }

  if (o.judge_rho) {
    // The same runs, their gains on the optimized scorer and on the judge
    // side by side: intervals over runs, and the mean half-width of each
    // run's own paired evaluation interval (over its 160 cells).
    out << "\nheld-out gain over I0 on the optimized scorer (sim) and on the judge (" << kJudge << ", rho "
        << csv_number(*o.judge_rho) << "):\n";
    std::snprintf(line, sizeof line, "%-20s %6s  %-24s %-24s %-24s %-24s %7s  %s\n", "config", "budget",
                  "on sim [95% CI]", "on judge [95% CI]", "judge - sim [95% CI]", "judge vs paper [95% CI]",
                  "judge/sim", "eval CI +- (sim, judge)");
    out << line;
    for (std::size_t b = 0; b < o.budgets.size(); ++b)
      for (std::size_t c = 0; c < o.configs.size(); ++c) {
        std::vector<RunResult> rs = slice(c, b);
        const Interval opt = interval(column(rs, [](const RunResult& r) { return r.gain_i0; }));
        const Interval judge = interval(column(rs, [](const RunResult& r) { return r.judge_i0; }));
        std::string vs = "-";
        if (paper_at != o.configs.end() && o.configs[c] != "paper") {
          std::vector<RunResult> ps = slice(static_cast<std::size_t>(paper_at - o.configs.begin()), b);
          std::vector<double> d;
          for (std::size_t i = 0; i < rs.size(); ++i) d.push_back(rs[i].judge_i0 - ps[i].judge_i0);
          vs = fmt(interval(d));
        }
        std::snprintf(line, sizeof line, "%-20s %6ld  %-24s %-24s %-24s %-24s %7.2f  %.2f, %.2f\n",
                      (o.configs[c] == "paper" ? "paper ucb b3" : ("budget " + o.configs[c]).c_str()),
                      o.budgets[b], fmt(opt).c_str(), fmt(judge).c_str(),
                      fmt(interval(column(rs, [](const RunResult& r) { return r.judge_i0 - r.gain_i0; }))).c_str(),
                      vs.c_str(), judge.mean / opt.mean, interval(column(rs, [](const RunResult& r) { return r.eval_half; })).mean,
                      interval(column(rs, [](const RunResult& r) { return r.judge_eval_half; })).mean);
        out << line;
      }
  }

  // The ratio: the first budget-loop config over the paper loop at 270, on
  // the judge when there is one.
  const auto b270 = std::find(o.budgets.begin(), o.budgets.end(), 270L);
  auto ratio_of = [&](double RunResult::*field) {
    if (paper_at == o.configs.end() || first_budget == o.configs.end() || b270 == o.budgets.end())
      return std::nan("");
    const std::size_t b = static_cast<std::size_t>(b270 - o.budgets.begin());
    auto mean_gain = [&](std::size_t c) {
      return interval(column(slice(c, b), [field](const RunResult& r) { return r.*field; })).mean;
    };
    return mean_gain(static_cast<std::size_t>(first_budget - o.configs.begin())) /
           mean_gain(static_cast<std::size_t>(paper_at - o.configs.begin()));
  };
  if (o.judge_rho) {
    std::snprintf(line, sizeof line, "ratio on sim (the optimized scorer): %.3f\n", ratio_of(&RunResult::gain_i0));
    out << line;
  }
  std::snprintf(line, sizeof line, "ratio=%.3f\n", ratio_of(o.judge_rho ? &RunResult::judge_i0 : &RunResult::gain_i0));
  out << line;
  return 0;
}

}  // namespace bigpe::engine
