#include "scheduler/report/campaign_summary.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "common/csv_writer.h"
#include "common/file_io.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/experiment/llm_settings.h"
#include "scheduler/render/score_target.h"
#include "scheduler/report/judge_gains.h"
#include "scheduler/report/markdown_cell.h"
#include "scheduler/stats/repeat_interval.h"
#include "scheduler/store/state_store.h"

namespace bigpe::engine {
namespace {

struct Column {
  const char* name;
  double ExperimentSummary::*field;
  bool needs_eval;
  bool signed_;  // a difference: printed with its sign
};

const std::vector<Column>& columns() {
  static const std::vector<Column> c = {
      {"initial_best", &ExperimentSummary::first_best, false, false},
      {"last_best", &ExperimentSummary::last_best, false, false},
      {"heldout_optimized", &ExperimentSummary::optimized, true, false},
      {"gain_over_baseline", &ExperimentSummary::gain_over_baseline, true, true},
      {"gain_over_professional", &ExperimentSummary::gain_over_professional, true, true},
  };
  return c;
}

struct VariantStats {
  std::string variant;
  int n = 0;        // finished experiments
  int planned = 0;  // all repeats
  std::vector<RepeatInterval> columns;  // per columns() entry, over the finished repeats
  // Column c as the tables print it (scripts/aggregate prints the same).
  std::string cell(std::size_t c) const {
    return format_repeat_interval(columns[c], 2, bigpe::engine::columns()[c].signed_);
  }
};

std::vector<VariantStats> variant_stats(const std::vector<ExperimentSummary>& rows) {
  std::vector<VariantStats> out;
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::vector<const ExperimentSummary*>> done;
  for (const ExperimentSummary& r : rows) {
    if (!index.count(r.member.variant)) {
      index[r.member.variant] = out.size();
      out.push_back({r.member.variant, 0, 0, {}});
    }
    ++out[index[r.member.variant]].planned;
    if (r.status == "finished") done[r.member.variant].push_back(&r);
  }
  for (VariantStats& v : out) {
    const auto& rs = done[v.variant];
    v.n = static_cast<int>(rs.size());
    for (const Column& c : columns()) {
      std::vector<double> values;
      for (const ExperimentSummary* r : rs)
        if (!c.needs_eval || r->evaluated) values.push_back(r->*c.field);
      v.columns.push_back(repeat_interval(values));
    }
  }
  return out;
}

// A price key of a stored config; configs stored before it existed: 0.
double price_of(const std::map<std::string, std::string>& config, const std::string& key) {
  auto it = config.find(key);
  return it == config.end() || it->second.empty() ? 0.0 : std::stod(it->second);
}

}  // namespace

std::vector<ExperimentSummary> collect_summaries(RedisClient& redis, const std::vector<CampaignMember>& members) {
  std::vector<ExperimentSummary> rows;
  for (const CampaignMember& m : members) {
    ExperimentSummary s;
    s.member = m;
    StateStore store(redis, m.experiment_id);
    if (!store.exists()) {
      s.status = "missing";
      rows.push_back(s);
      continue;
    }
    std::map<std::string, std::string> meta = store.load_meta();
    s.status = meta["status"];
    std::map<std::string, std::string> config = store.load_config_values();
    s.seed = std::stoll(config.count("seed") ? config["seed"] : "0");
    s.taste_seed = std::stoll(config.count("sim.taste_seed") ? config["sim.taste_seed"] : "0");
    if (std::optional<ExperimentState> state = store.load_state()) {
      s.iterations = static_cast<int>(state->summaries.size());
      if (!state->summaries.empty()) {
        s.first_best = state->summaries.front().best;
        s.last_best = state->summaries.back().best;
      }
      s.renders_done = state->renders_done;
      s.renders_cached = state->renders_cached;
      s.renders_scored = state->renders_scored;
      s.llm = state->llm;
      LlmSettings prices;  // the experiment's own prices
      prices.price_prompt_per_1m = price_of(config, "llm.price.prompt_per_1m");
      prices.price_completion_per_1m = price_of(config, "llm.price.completion_per_1m");
      s.cost = prices.cost_of(s.llm.prompt_tokens, s.llm.completion_tokens);
    }
    s.optimized_scorer =
        optimized_score_label(config["score.optimize"], config["score.scorers"], config["render.backend"]);
    if (std::optional<std::string> bytes = store.load_evaluation()) {
      EvaluationResult e = decode_evaluation(*bytes);
      auto mean = [](const EvaluationResult& r, const char* method) {
        const MethodResult* m = r.find(method);
        return m ? m->mean : 0.0;
      };
      s.evaluated = e.find("optimized") != nullptr;
      s.plain = mean(e, "plain");
      s.baseline = mean(e, "baseline");
      s.professional = mean(e, "professional");
      s.optimized = mean(e, "optimized");
      // Means of paired differences equal differences of means.
      s.gain_over_baseline = s.optimized - s.baseline;
      s.gain_over_professional = s.optimized - s.professional;
      for (const JudgeResult& j : e.judges) {
        const EvaluationResult by = e.judged_by(j.judge);
        const double opt = mean(by, "optimized");
        s.judges.push_back({j.judge, opt, opt - mean(by, "baseline"), opt - mean(by, "professional")});
      }
    }
    rows.push_back(s);
  }
  return rows;
}

void write_campaign_summary(const std::string& dir, const std::string& campaign_id,
                            const std::vector<ExperimentSummary>& rows) {
  std::vector<std::string> per_header = {
      "experiment_id", "variant",   "repeat",    "seed",      "taste_seed",        "status",
      "iterations",    "initial_best", "last_best", "renders_done", "renders_cached", "plain",
      "baseline",      "professional", "optimized", "gain_over_baseline", "gain_over_professional", "llm_calls",
      "llm_cached",    "prompt_tokens", "completion_tokens", "cost"};
  // Judge columns only when some experiment has a judge: a campaign
  // without keeps its columns.
  const std::vector<std::string> judges = judge_names(rows);
  if (!judges.empty()) per_header.push_back("optimized_scorer");
  for (const std::string& j : judges)
    for (const char* part : {"optimized@", "gain_over_baseline@", "gain_over_professional@"})
      per_header.push_back(part + j);
  // Last, and only when some experiment only scored renders: likewise.
  bool scored = false;
  for (const ExperimentSummary& r : rows) scored |= r.renders_scored != 0;
  if (scored) per_header.push_back("renders_scored");
  CsvWriter per(dir + "/summary.csv", per_header);
  for (const ExperimentSummary& r : rows) {
    auto ev = [&](double v) { return r.evaluated ? csv_number(v) : std::string(); };
    std::vector<std::string> f = {
        r.member.experiment_id, r.member.variant, std::to_string(r.member.repeat), std::to_string(r.seed),
        std::to_string(r.taste_seed), r.status, std::to_string(r.iterations), csv_number(r.first_best),
        csv_number(r.last_best), std::to_string(r.renders_done), std::to_string(r.renders_cached),
        ev(r.plain), ev(r.baseline), ev(r.professional), ev(r.optimized), ev(r.gain_over_baseline),
        ev(r.gain_over_professional), std::to_string(r.llm.calls), std::to_string(r.llm.cached),
        std::to_string(r.llm.prompt_tokens), std::to_string(r.llm.completion_tokens), csv_number(r.cost)};
    if (!judges.empty()) f.push_back(r.optimized_scorer);
    for (const std::string& j : judges) {
      const JudgeSummary* mine = nullptr;
      for (const JudgeSummary& s : r.judges)
        if (s.judge == j) mine = &s;
      for (double v : {mine ? mine->optimized : 0.0, mine ? mine->gain_over_baseline : 0.0,
                       mine ? mine->gain_over_professional : 0.0})
        f.push_back(mine ? ev(v) : std::string());
    }
    if (scored) f.push_back(std::to_string(r.renders_scored));
    per.row(f);
  }
  per.close();

  std::vector<std::string> header = {"variant", "finished", "repeats"};
  for (const Column& c : columns())
    for (const char* part : {"_mean", "_ci_low", "_ci_high"}) header.push_back(std::string(c.name) + part);
  CsvWriter table(dir + "/table.csv", header);
  std::vector<VariantStats> stats = variant_stats(rows);
  for (const VariantStats& v : stats) {
    std::vector<std::string> f = {v.variant, std::to_string(v.n), std::to_string(v.planned)};
    // No interval (one repeat) leaves its fields empty.
    for (const RepeatInterval& r : v.columns) {
      f.push_back(r.n ? csv_number(r.mean) : "");
      f.push_back(r.has_interval() ? csv_number(r.low) : "");
      f.push_back(r.has_interval() ? csv_number(r.high) : "");
    }
    table.row(f);
  }
  table.close();

  std::ostringstream md;
  md << "# Campaign " << campaign_id << "\n\n"
     << "Mean over finished repeats, with the 95% t-interval across repeats (docs/campaigns.md, "
        "\"Statistics\"); \\* marks an interval from fewer than " << kFewRepeats
     << " repeats, too few to trust. initial/last: best batch score in the first/last iteration (the "
        "paper's Table 1 metric, noisy); held-out: the final instruction on the held-out queries, and its "
        "paired gains.\n\n"
     << "| variant | finished | initial best | last best | held-out | gain over I0 | gain over professional |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const VariantStats& v : stats) {
    md << "| " << v.variant << " | " << v.n << "/" << v.planned;
    for (std::size_t c = 0; c < columns().size(); ++c) md << " | " << markdown_cell(v.cell(c));
    md << " |\n";
  }
  const std::vector<JudgeGainRow> judge_rows = judge_gain_rows(rows);
  if (!judge_rows.empty()) {
    write_judge_csv(dir + "/judges.csv", judge_rows);
    md << "\n" << judge_table_markdown(judge_rows);
  }
  md << "\n" << campaign_llm_line(rows) << " (per experiment: summary.csv).\n";
  write_file_atomic(dir + "/summary.md", md.str());  // a reader never sees half of it
}

std::string campaign_table_text(const std::vector<ExperimentSummary>& rows) {
  std::ostringstream out;
  char line[320];
  std::snprintf(line, sizeof line, "%-22s %8s  %-24s %-24s %-24s\n", "variant", "finished", "last best",
                "held-out gain over I0", "gain over professional");
  out << line;
  bool marked = false;
  for (const VariantStats& v : variant_stats(rows)) {
    std::snprintf(line, sizeof line, "%-22s %5d/%-3d %-24s %-24s %-24s\n", v.variant.c_str(), v.n, v.planned,
                  v.cell(1).c_str(), v.cell(3).c_str(), v.cell(4).c_str());
    out << line;
    for (const RepeatInterval& r : v.columns) marked = marked || r.few();
  }
  out << "95% t-intervals over the finished repeats";
  if (marked) out << "; * from fewer than " << kFewRepeats << " repeats, too few to trust";
  out << "\n";
  out << judge_table_text(judge_gain_rows(rows));
  return out.str();
}

std::vector<VariantGain> variant_gains(const std::vector<ExperimentSummary>& rows) {
  std::vector<VariantGain> out;
  for (const VariantStats& v : variant_stats(rows)) out.push_back({v.variant, v.n, v.planned, v.cell(3)});
  return out;
}

std::string campaign_llm_line(const std::vector<ExperimentSummary>& rows) {
  AgentTally total;
  double cost = 0.0;
  for (const ExperimentSummary& r : rows) {
    total += r.llm;
    cost += r.cost;
  }
  char line[320];
  std::snprintf(line, sizeof line, "LLM over all experiments: %ld calls (%ld cached), %ld prompt + %ld completion tokens, cost %.4f",
                total.calls, total.cached, total.prompt_tokens, total.completion_tokens, cost);
  return line;
}

}  // namespace bigpe::engine
