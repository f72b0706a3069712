#include "scheduler/report/report.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/file_io.h"
#include "common/json_strict.h"
#include "scheduler/report/scored_only_text.h"
#include "scheduler/stats/wilcoxon.h"

namespace bigpe::engine {
namespace {

std::string fixed(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string final_text(const ReportInput& in) {
  auto it = in.state->instructions.find(in.state->final_id);
  return it == in.state->instructions.end() ? "" : it->second.text;
}

const char* label(const std::string& method) {
  if (method == "plain") return "plain query";
  if (method == "baseline") return "I0 (LLM baseline)";
  if (method == "professional") return "professional prompt";
  if (method == "optimized") return "final instruction";
  return method.c_str();
}

nlohmann::ordered_json llm_json(const AgentTally& t, const LlmSettings& prices) {
  nlohmann::ordered_json llm = nlohmann::ordered_json::object();
  llm["calls"] = static_cast<int64_t>(t.calls);
  llm["retries"] = static_cast<int64_t>(t.retries);
  llm["unusable"] = static_cast<int64_t>(t.unusable);
  llm["subject_dropped"] = static_cast<int64_t>(t.subject_dropped);
  llm["cached"] = static_cast<int64_t>(t.cached);
  llm["prompt_tokens"] = static_cast<int64_t>(t.prompt_tokens);
  llm["completion_tokens"] = static_cast<int64_t>(t.completion_tokens);
  llm["cost"] = prices.cost_of(t.prompt_tokens, t.completion_tokens);
  return llm;
}

// The per-agent LLM table of report.md, with the run's total.
void llm_markdown(std::ostringstream& md, const ReportInput& in) {
  const LlmSettings& p = in.settings->llm;
  md << "## LLM calls\n\n"
     << "| agent | calls | retried | unusable | cached | prompt tokens | completion tokens | cost |\n"
     << "|---|---|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& name, const AgentTally& t) {
    md << "| " << name << " | " << t.calls << " | " << t.retries << " | " << t.unusable << " | " << t.cached << " | "
       << t.prompt_tokens << " | " << t.completion_tokens << " | " << fixed(p.cost_of(t.prompt_tokens, t.completion_tokens), 4)
       << " |\n";
  };
  for (const auto& [agent, t] : in.state->llm_agents) row(agent, t);
  row("total", in.state->llm);
  md << "\nTokens as the server reported them (`usage`), over the calls not answered by the LLM cache (a cached "
        "answer costs nothing again; a resumed run's replayed iteration counts as cached). Cost at "
     << p.price_prompt_per_1m << " per 1M prompt and " << p.price_completion_per_1m
     << " per 1M completion tokens (`llm.price.*`).\n\n";
}

// Atomic, so that a reader (a browser, `bigpe diff`, a kill mid-write)
// never sees half a report.
void write_file(const std::string& path, const std::string& text) { write_file_atomic(path, text); }

}  // namespace

namespace {

std::string optimized_result_table(const EvaluationResult& eval) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-22s %8s  %-17s %5s\n", "method", "mean", "95% interval", "n");
  out << line;
  for (const MethodResult& m : eval.methods) {
    std::snprintf(line, sizeof line, "%-22s %8.3f  [%7.3f, %7.3f] %5d\n", label(m.method), m.mean,
                  m.ci_low, m.ci_high, m.n);
    out << line;
  }
  const MethodResult* opt = eval.find("optimized");
  const MethodResult* base = eval.find("baseline");
  const MethodResult* pro = eval.find("professional");
  if (opt && base) {
    MethodResult d = paired_difference(*opt, *base, "gain over I0");
    std::snprintf(line, sizeof line, "%-22s %+8.3f  [%+7.3f, %+7.3f] %5d\n", "gain over I0 (paired)",
                  d.mean, d.ci_low, d.ci_high, d.n);
    out << line;
  }
  if (opt && pro) {
    MethodResult d = paired_difference(*opt, *pro, "gain over professional");
    std::snprintf(line, sizeof line, "%-22s %+8.3f  [%+7.3f, %+7.3f] %5d\n", "gain over professional",
                  d.mean, d.ci_low, d.ci_high, d.n);
    out << line;
  }
  return out.str();
}

}  // namespace

std::string result_table(const EvaluationResult& eval) {
  std::string table = optimized_result_table(eval);
  // Each held-out judge's table below, the same rows and intervals.
  for (const JudgeResult& j : eval.judges)
    table += "\njudge " + j.judge + " (held out, not optimized):\n" + optimized_result_table(eval.judged_by(j.judge));
  return table;
}

std::string report_json(const ReportInput& in) {
  using nlohmann::ordered_json;
  ordered_json root = ordered_json::object();
  root["experiment_id"] = in.experiment_id;
  root["config_hash"] = in.config_hash;
  root["iterations"] = static_cast<int64_t>(in.state->summaries.size());
  ordered_json renders = ordered_json::object();
  renders["done"] = static_cast<int64_t>(in.state->renders_done);
  renders["cached"] = static_cast<int64_t>(in.state->renders_cached);
  // Only when there are any, so reports of runs without stay as they were.
  if (in.state->renders_scored != 0) renders["scored"] = static_cast<int64_t>(in.state->renders_scored);
  root["renders"] = renders;
  root["llm"] = llm_json(in.state->llm, in.settings->llm);
  ordered_json agents = ordered_json::object();
  for (const auto& [agent, t] : in.state->llm_agents) agents[agent] = llm_json(t, in.settings->llm);
  root["llm_agents"] = agents;
  ordered_json price = ordered_json::object();
  price["prompt_per_1m"] = in.settings->llm.price_prompt_per_1m;
  price["completion_per_1m"] = in.settings->llm.price_completion_per_1m;
  root["llm_price"] = price;
  root["final_instruction"] = final_text(in);
  root["final_instruction_id"] = in.state->final_id;
  ordered_json curve = ordered_json::array();
  for (const IterationSummary& s : in.state->summaries) {
    ordered_json p = ordered_json::object();
    p["iteration"] = static_cast<int64_t>(s.iteration + 1);
    p["best"] = s.best;
    p["mean"] = s.mean;
    p["renders"] = static_cast<int64_t>(s.renders_spent);
    p["pool"] = static_cast<int64_t>(s.pool);
    p["best_id"] = s.best_id;
    curve.push_back(p);
  }
  root["curve"] = curve;
  ordered_json timing = ordered_json::object();
  timing["loop_wall_s"] = in.loop_wall_s;
  timing["worker_busy_s"] = in.worker_busy_s;
  timing["scheduler_s"] = in.scheduler_s;
  timing["loop_iterations"] = static_cast<int64_t>(in.loop_iterations);
  timing["loop_start_unix_s"] = in.loop_start_unix_s;
  timing["loop_end_unix_s"] = in.loop_end_unix_s;
  timing["llm_server_concurrency"] = static_cast<int64_t>(in.llm_server_concurrency);
  ordered_json per_iteration = ordered_json::array();
  for (const IterationTiming& it : in.iteration_timing) {
    ordered_json j = ordered_json::object();
    j["wall_s"] = it.wall_s;
    j["worker_busy_s"] = it.worker_busy_s;
    ordered_json stages = ordered_json::array();
    for (const LlmStageStats& st : it.llm)
      stages.push_back({{"role", st.role},
                        {"calls", static_cast<int64_t>(st.calls)},
                        {"latency_sum_ms", st.latency_sum_ms},
                        {"latency_max_ms", st.latency_max_ms}});
    j["llm"] = stages;
    per_iteration.push_back(j);
  }
  timing["iterations"] = per_iteration;
  root["timing"] = timing;
  // One object per scoring of the evaluation: the optimized one, then each
  // judge's under "judges".
  auto eval_json = [](const EvaluationResult& e) {
    ordered_json eval = ordered_json::object();
    auto add = [&](const MethodResult& m) {
      ordered_json v = ordered_json::object();
      v["mean"] = m.mean;
      v["ci_low"] = m.ci_low;
      v["ci_high"] = m.ci_high;
      v["n"] = static_cast<int64_t>(m.n);
      eval[m.method] = v;
    };
    for (const MethodResult& m : e.methods) add(m);
    const MethodResult* opt = e.find("optimized");
    const MethodResult* base = e.find("baseline");
    const MethodResult* pro = e.find("professional");
    // Paired gains also carry the Wilcoxon signed-rank p-value (wilcoxon.h).
    auto add_gain = [&](const MethodResult& a, const MethodResult& b, const char* name) {
      MethodResult d = paired_difference(a, b, name);
      add(d);
      eval[name]["p_value"] = wilcoxon_signed_rank(d.values).p_value;
    };
    if (opt && base) add_gain(*opt, *base, "gain_over_baseline");
    if (opt && pro) add_gain(*opt, *pro, "gain_over_professional");
    return eval;
  };
  if (in.eval) {
    ordered_json eval = eval_json(*in.eval);
    if (!in.eval->judges.empty()) {
      ordered_json judges = ordered_json::object();
      for (const JudgeResult& j : in.eval->judges) judges[j.judge] = eval_json(in.eval->judged_by(j.judge));
      eval["judges"] = judges;
    }
    root["eval"] = eval;
  }
  return json::dump_strict(root) + "\n";
}

std::string report_markdown(const ReportInput& in) {
  const ExperimentSettings& s = *in.settings;
  std::ostringstream md;
  md << "# Experiment " << in.experiment_id << "\n\n";
  md << "- config hash: `" << in.config_hash << "`\n";
  md << "- loop: " << s.loop << ", selector: " << s.selector.kind << ", batch " << s.batch_size
     << ", pool " << s.pool_size << ", iterations " << in.state->summaries.size() << "/" << s.iterations
     << "\n";
  md << "- renders: " << in.state->renders_done << " done, " << in.state->renders_cached << " cached"
     << scored_only_text(in.state->renders_scored) << "\n";
  md << "- LLM: " << in.state->llm.calls << " requests, " << in.state->llm.retries << " retried after an unusable "
     << "reply, " << in.state->llm.unusable << " agent calls unusable after every attempt, "
     << in.state->llm.subject_dropped << " generated prompts without a word of their query; " << in.state->llm.cached
     << " answered by the LLM cache; tokens " << in.state->llm.prompt_tokens << " prompt + "
     << in.state->llm.completion_tokens << " completion, cost "
     << fixed(s.llm.cost_of(in.state->llm.prompt_tokens, in.state->llm.completion_tokens), 4) << "\n";
  md << "- seed " << s.seed << ", taste seed " << s.taste_seed << ", images per prompt "
     << s.images_per_prompt << (s.paired ? " (paired)" : "") << "\n\n";
  md << "## Final instruction\n\n```\n" << final_text(in) << "\n```\n\n";
  // renders: the budget's count (jobs asked for, cached or not), the x axis
  // a curve against the budget uses.
  // A "scored only" column only when some iteration has one.
  bool scored = false;
  for (const IterationSummary& it : in.state->summaries) scored |= it.renders_scored != 0;
  md << "## Iterations\n\n| iteration | renders | best | mean | pool | renders done | cached |"
     << (scored ? " scored only |" : "") << "\n|---|---|---|---|---|---|---|" << (scored ? "---|" : "") << "\n";
  for (const IterationSummary& it : in.state->summaries) {
    md << "| " << it.iteration + 1 << " | " << it.renders_spent << " | " << fixed(it.best, 3) << " | "
       << fixed(it.mean, 3) << " | " << it.pool << " | " << it.renders_done << " | " << it.renders_cached << " |";
    if (scored) md << " " << it.renders_scored << " |";
    md << "\n";
  }
  if (in.eval) {
    md << "\n## Held-out evaluation\n\n" << in.eval->queries.size() << " held-out queries x "
       << in.eval->seeds << " seeds, the same seeds and generator samples for every method; 95% "
       << "percentile bootstrap intervals over cells (10,000 resamples).\n\n";
    auto table = [&md](const EvaluationResult& e) {
      md << "| method | mean | 95% interval | n |\n|---|---|---|---|\n";
      std::vector<MethodResult> rows = e.methods;
      const MethodResult* opt = e.find("optimized");
      const MethodResult* base = e.find("baseline");
      const MethodResult* pro = e.find("professional");
      if (opt && base) rows.push_back(paired_difference(*opt, *base, "gain over I0 (paired)"));
      if (opt && pro) rows.push_back(paired_difference(*opt, *pro, "gain over professional (paired)"));
      for (const MethodResult& m : rows)
        md << "| " << label(m.method) << " | " << fixed(m.mean, 3) << " | [" << fixed(m.ci_low, 3) << ", "
           << fixed(m.ci_high, 3) << "] | " << m.n << " |\n";
    };
    table(*in.eval);
    for (const JudgeResult& j : in.eval->judges) {
      md << "\n### Judge " << j.judge << " (held out)\n\nThe same images scored by `" << j.judge
         << "`, which the loop never optimized (`score.judges`); the same cells and paired intervals.\n\n";
      table(in.eval->judged_by(j.judge));
    }
  }
  md << "\n";
  llm_markdown(md, in);
  md << "## Instructions\n\n| id | born | parent | text |\n|---|---|---|---|\n";
  for (const auto& [id, r] : in.state->instructions) {
    std::string text = r.text;
    for (char& c : text)
      if (c == '\n' || c == '|') c = ' ';
    md << "| " << id << " | " << (r.born < 0 ? std::string("-") : std::to_string(r.born + 1)) << " | "
       << (r.parent.empty() ? "-" : r.parent) << " | " << text << " |\n";
  }
  return md.str();
}

void write_reports(const ReportInput& in) {
  write_file(in.run_dir + "/report.json", report_json(in));
  write_file(in.run_dir + "/report.md", report_markdown(in));
}

}  // namespace bigpe::engine
