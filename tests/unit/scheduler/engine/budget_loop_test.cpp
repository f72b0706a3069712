// The budget loop on the sim-v1 task in process: it spends exactly its
// render budget, is a pure function of its seed, retires arms, and a run
// continued from any committed state (decoded, with a fresh loop and a
// fresh render service) ends exactly where an uninterrupted run ends. Also
// the paper loop's budget stop.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/config.h"
#include "backends/sim/sim_vocabulary.h"
#include "scheduler/engine/budget_loop.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/render/in_process_render_service.h"
#include "scheduler/engine/paper_loop.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"

namespace bigpe::engine {
namespace {

class Sim {
 public:
  Sim()
      : vocab_(std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()))),
        all_(load_queries(default_queries_path())),
        split_(split_queries(all_, paper_table2_queries(), 20)),
        prodb_(ProfessionalDb::synthetic(all_, *vocab_, 0)),
        llm_(vocab_, HeuristicOptions{}),
        generator_(llm_, AgentOptions{}),
        gradient_(llm_, AgentOptions{}),
        modifier_(llm_, AgentOptions{}) {}

  ExperimentSettings settings(std::vector<std::string> overrides) const {
    overrides.insert(overrides.begin(), {"llm.max_concurrent=1", "iterations=1000", "seed=3"});
    return settings_from(Config::parse("", "test", experiment_schema(), overrides));
  }

  std::unique_ptr<InProcessRenderService> renders() const {
    schemas::RenderParams params;
    params.options["sim.taste_seed"] = "1";
    return std::make_unique<InProcessRenderService>(vocab_, params);
  }

  EngineContext context(const ExperimentSettings& s, RenderService& r) const {
    return EngineContext{s, "test", split_, prodb_, generator_, gradient_, modifier_, r, nullptr};
  }

  // Runs from `state` until finished, or for at most `steps` steps.
  void run(const ExperimentSettings& s, ExperimentState& state, RenderService& r, int steps = 1 << 30) const {
    EngineContext ctx = context(s, r);
    std::unique_ptr<OptimizationLoop> loop = make_loop(ctx);
    seed_pool(state, s.initial_instruction);
    for (int k = 0; k < steps && !state.finished; ++k) loop->run_iteration(state);
  }

 private:
  std::shared_ptr<const sim::Vocabulary> vocab_;
  std::vector<std::string> all_;
  QuerySplit split_;
  ProfessionalDb prodb_;
  HeuristicLlm llm_;
  Generator generator_;
  GradientCalculator gradient_;
  InstructionModifier modifier_;
};

// The state without the render-service counters (a fresh service finds
// in its cache only what this process rendered).
// The state without the counters of work done (a resumed run repeats the
// interrupted step's renders and LLM requests, answered by the caches).
std::string meaning(ExperimentState s) {
  s.renders_done = s.renders_cached = 0;
  s.llm = {};
  s.llm_agents.clear();
  for (IterationSummary& m : s.summaries) m.renders_done = m.renders_cached = 0;
  return encode_state(s);
}

const std::vector<std::string> kBudget = {"loop=budget",          "budget.renders=157", "budget.round=30",
                                          "budget.pro_cells=6",   "budget.pro_share=0",  "budget.pro_per_cell=5",
                                          "budget.gradients=2", "budget.min_cells=4",
                                          "selector.kind=successive-halving"};

TEST(BudgetLoop, SpendsExactlyItsRenderBudgetThenStops) {
  Sim sim;
  for (const char* kind : {"ucb", "greedy", "eps-greedy", "successive-halving", "successive-rejects"}) {
    std::vector<std::string> o = kBudget;
    o.push_back(std::string("selector.kind=") + kind);
    ExperimentSettings s = sim.settings(o);
    auto r = sim.renders();
    ExperimentState state;
    sim.run(s, state, *r);
    EXPECT_TRUE(state.finished) << kind;
    EXPECT_EQ(state.renders_spent, 157) << kind;
    EXPECT_EQ(r->renders_done() + r->renders_cached(), 157) << kind;
    // Step 1: 6 cells x 5 professional prompts and I0 alone on those 6
    // cells; then rounds of 30: 1 + ceil(121 / 30) steps.
    EXPECT_EQ(state.next_iteration, 6) << kind;
  }
}

// `bigpe run` refuses up front (loop_problems) exactly what the loops
// refuse when they are built, so no run stops later on such a setting.
TEST(BudgetLoop, RefusesAtConstructionExactlyWhatTheRunRefusesUpFront) {
  Sim sim;
  const std::vector<std::vector<std::string>> cases = {
      {"loop=budget", "budget.expand=2", "budget.gradients=8"},
      {"loop=budget", "budget.expand=2", "budget.gradients=9"},
      {"loop=budget", "budget.expand=4", "budget.gradients=4"},
      {"loop=budget", "budget.expand=0", "budget.gradients=16"},
      {"loop=budget", "selector.kind=ucb-paper"},
      {"loop=budget", "selector.kind=successive-rejects"},
      {"loop=paper", "selector.kind=successive-halving"},
      {"loop=paper", "budget.expand=16", "budget.gradients=16"}};
  int refused = 0;
  for (const auto& overrides : cases) {
    const ExperimentSettings s = sim.settings(overrides);
    auto r = sim.renders();
    EngineContext ctx = sim.context(s, *r);
    const bool up_front = !loop_problems(s).empty();
    bool built = true;
    try {
      make_loop(ctx);
    } catch (const std::invalid_argument&) {
      built = false;
    }
    EXPECT_EQ(built, !up_front) << overrides.back();
    refused += up_front ? 1 : 0;
  }
  EXPECT_EQ(refused, 3);
}

TEST(BudgetLoop, IsAPureFunctionOfItsSeed) {
  Sim sim;
  ExperimentSettings s = sim.settings(kBudget);
  ExperimentState a, b;
  auto ra = sim.renders(), rb = sim.renders();
  sim.run(s, a, *ra);
  sim.run(s, b, *rb);
  EXPECT_EQ(encode_state(a), encode_state(b));
  std::vector<std::string> other = kBudget;
  other.push_back("seed=4");
  ExperimentState c;
  auto rc = sim.renders();
  sim.run(sim.settings(other), c, *rc);
  EXPECT_NE(encode_state(a), encode_state(c));
}

TEST(BudgetLoop, RetiresArmsAndKeepsScoresOfEveryArmItRendered) {
  Sim sim;
  ExperimentSettings s = sim.settings(kBudget);
  auto r = sim.renders();
  ExperimentState state;
  sim.run(s, state, *r);
  int rendered = 0, retired = 0;
  long arm_renders = 0;
  for (const auto& [id, rec] : state.instructions) {
    auto h = state.history.find(rec.text);
    if (h == state.history.end() || h->second.scores.empty()) continue;
    ++rendered;
    arm_renders += static_cast<long>(h->second.scores.size());
    if (std::find(state.pool.begin(), state.pool.end(), id) == state.pool.end()) ++retired;
  }
  EXPECT_GT(rendered, s.pool_size);
  EXPECT_GT(retired, 0);
  // Every render is an arm's cell or a professional prompt: nothing is re-rendered.
  EXPECT_EQ(arm_renders + static_cast<long>(state.history.at(BudgetLoop::kProfessionalKey).scores.size()), 157);
  EXPECT_EQ(state.history.at(BudgetLoop::kProfessionalKey).scores.size(), 30u);
  EXPECT_FALSE(state.final_id.empty());
}

TEST(BudgetLoop, SpendsItsProfessionalShareAndRendersTheLoneFirstArmOnlyOnThoseCells) {
  Sim sim;
  // 0.45 x 200 renders / 10 per cell = 9 cells of professional prompts.
  ExperimentSettings s = sim.settings({"loop=budget", "budget.renders=200", "budget.pro_share=0.45",
                                       "budget.pro_per_cell=10", "budget.min_cells=3", "budget.round=30",
                                       "selector.kind=greedy"});
  auto r = sim.renders();
  ExperimentState state;
  sim.run(s, state, *r, 1);
  EXPECT_EQ(state.history.at(BudgetLoop::kProfessionalKey).scores.size(), 90u);
  // I0 alone: 9 cells (the pairs' winners are there), not the round's 30.
  EXPECT_EQ(state.history.at(s.initial_instruction).scores.size(), 9u);
  EXPECT_EQ(state.renders_spent, 99);
}

TEST(BudgetLoop, ScreensChildrenDownToBudgetChildrenPerStep) {
  Sim sim;
  std::vector<std::string> o = kBudget;
  o.push_back("budget.children=1");
  ExperimentSettings s = sim.settings(o);
  auto r = sim.renders();
  ExperimentState state;
  sim.run(s, state, *r);
  std::map<int, int> born;
  for (const auto& [id, rec] : state.instructions)
    if (!rec.parent.empty()) ++born[rec.born];
  ASSERT_FALSE(born.empty());
  for (const auto& [step, n] : born) EXPECT_EQ(n, 1) << "step " << step;
  // Unscreened, the same run keeps more than one child in some step.
  o.back() = "budget.children=0";
  ExperimentState wide;
  auto r2 = sim.renders();
  sim.run(sim.settings(o), wide, *r2);
  std::map<int, int> wide_born;
  for (const auto& [id, rec] : wide.instructions)
    if (!rec.parent.empty()) ++wide_born[rec.born];
  int most = 0;
  for (const auto& [step, n] : wide_born) most = std::max(most, n);
  EXPECT_GT(most, 1);
}

TEST(BudgetLoop, ResumedFromAnyCommittedStepEndsWhereAnUninterruptedRunEnds) {
  Sim sim;
  ExperimentSettings s = sim.settings(kBudget);
  auto r = sim.renders();
  ExperimentState whole;
  sim.run(s, whole, *r);
  for (int cut = 1; cut < whole.next_iteration; ++cut) {
    ExperimentState first;
    auto r1 = sim.renders();
    sim.run(s, first, *r1, cut);
    // A new process: the state as committed, a new loop, no caches.
    ExperimentState resumed = decode_state(encode_state(first));
    auto r2 = sim.renders();
    sim.run(s, resumed, *r2);
    EXPECT_EQ(meaning(resumed), meaning(whole)) << "cut after step " << cut;
  }
}

TEST(PaperLoop, StopsAtTheFirstIterationThatReachesTheRenderBudget) {
  Sim sim;
  ExperimentSettings s = sim.settings({"loop=paper", "budget.renders=100"});
  auto r = sim.renders();
  ExperimentState state;
  sim.run(s, state, *r);
  EXPECT_TRUE(state.finished);
  EXPECT_GE(state.renders_spent, 100);
  EXPECT_LT(state.renders_spent, 160);  // at most one iteration past it
  EXPECT_LT(state.next_iteration, 1000);
}

}  // namespace
}  // namespace bigpe::engine
