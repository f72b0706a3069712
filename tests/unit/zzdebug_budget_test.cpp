// TEMPORARY diagnostic (not committed).
#include <gtest/gtest.h>
#include <cstdio>
#include <cstdlib>
#include "common/config.h"
#include "common/sim_vocabulary.h"
#include "scheduler/engine/budget_loop.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/engine/experiment_config.h"
#include "scheduler/engine/in_process_render_service.h"
#include "scheduler/engine/paper_loop.h"
#include "scheduler/llm/heuristic_llm.h"
namespace bigpe::engine {
TEST(Debug, Arms) {
  auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()));
  auto all = load_queries(default_queries_path());
  auto split = split_queries(all, paper_table2_queries(), 20);
  auto prodb = ProfessionalDb::synthetic(all, *vocab, 0);
  HeuristicLlm llm(vocab, HeuristicOptions{});
  Generator g(llm, AgentOptions{}); GradientCalculator gc(llm, AgentOptions{}); InstructionModifier im(llm, AgentOptions{});
  std::vector<std::string> o = {"llm.max_concurrent=1", "iterations=100000", "loop=budget", "selector.kind=greedy", "budget.renders=1100", "seed=2", "sim.taste_seed=1", "eval.seeds=16"};
  const char* extra = std::getenv("DBG_SET");
  if (extra) { std::string e = extra; size_t st = 0; while (st < e.size()) { size_t sp = e.find(' ', st); if (sp == std::string::npos) sp = e.size(); o.push_back(e.substr(st, sp - st)); st = sp + 1; } }
  auto s = settings_from(Config::parse("", "t", experiment_schema(), o));
  schemas::RenderParams params; params.options["sim.taste_seed"] = "1";
  InProcessRenderService r(vocab, params);
  EngineContext ctx{s, "t", split, prodb, g, gc, im, r, nullptr};
  ExperimentState st; seed_pool(st, s.initial_instruction);
  auto loop = make_loop(ctx);
  while (!st.finished) loop->run_iteration(st);
  auto gain = [&](const std::string& text) { auto e = evaluate(ctx, text); double sum=0; auto& a=e.find("optimized")->values; auto& b=e.find("baseline")->values; for (size_t i=0;i<a.size();++i) sum+=a[i]-b[i]; return sum/a.size(); };
  for (auto& [id, rec] : st.instructions) {
    auto h = st.history.find(rec.text);
    int n = h == st.history.end() ? 0 : h->second.scores.size();
    if (n == 0) continue;
    std::string t = rec.text; for (char& c : t) if (c == '\n') c = '|';
    std::printf("%-5s parent %-5s born %2d cells %3d mean %6.2f true %+5.2f %s%s\n", id.c_str(), rec.parent.c_str(), rec.born, n, h->second.mean(), gain(rec.text), id == st.final_id ? "FINAL " : "", (t.size() > 61 ? t.substr(61) : std::string("I0")).c_str());
  }
}
}
