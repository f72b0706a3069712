#pragma once
// The tables a campaign writes when it ends (and the console prints): one
// row per experiment (summary.csv) and one per variant (table.csv,
// summary.md) with the mean over repeats and its 95% t-interval, marked
// "*" from fewer than 5 repeats (repeat_interval.h: the rule every repeats
// table follows, so scripts/aggregate prints the same intervals) of:
// the first iteration's best batch score ("initial", as the paper's Table 1),
// the last iteration's best batch score ("last"), the held-out score of the
// final instruction, and its paired held-out gains over I0 and over the
// professional prompt; with score.judges, each judge's held-out scores
// (per experiment in summary.csv as optimized@J, gain_over_baseline@J, ...)
// and judge_gains.h's table of gain on the optimized score against gain on
// each judge (summary.md, judges.csv, the console). Each experiment's LLM calls, tokens and cost are in
// summary.csv, the campaign's totals in summary.md and on the console. Read
// from Redis, so a resumed campaign's tables include the experiments
// finished before the interruption.
//
// Thread-safety: one thread (it drives a RedisClient).
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "scheduler/agents/agent_counters.h"
#include "scheduler/store/campaign_store.h"

namespace bigpe::engine {

// One held-out judge's scoring of an experiment's evaluation.
struct JudgeSummary {
  std::string judge;
  double optimized = 0.0, gain_over_baseline = 0.0, gain_over_professional = 0.0;
};

struct ExperimentSummary {
  CampaignMember member;
  std::string status;  // running | stopped | finished | missing
  long long seed = 0;
  long long taste_seed = 0;
  int iterations = 0;
  double first_best = 0.0;
  double last_best = 0.0;
  long renders_done = 0;
  long renders_cached = 0;
  long renders_scored = 0;  // scored only: stored images, new scorers
  bool evaluated = false;
  double plain = 0.0, baseline = 0.0, professional = 0.0, optimized = 0.0;
  double gain_over_baseline = 0.0;
  double gain_over_professional = 0.0;
  std::string optimized_scorer;     // score.optimize, or the first scorer's name
  std::vector<JudgeSummary> judges;  // score.judges' scorings, in order
  AgentTally llm;     // its LLM calls and tokens (experiment_state.h)
  double cost = 0.0;  // of those tokens at its llm.price.* keys
};

std::vector<ExperimentSummary> collect_summaries(RedisClient& redis, const std::vector<CampaignMember>& members);

// Writes summary.csv, table.csv and summary.md into dir; throws naming the
// file that could not be written.
void write_campaign_summary(const std::string& dir, const std::string& campaign_id,
                            const std::vector<ExperimentSummary>& rows);
// The per-variant table as fixed-width text (for the console).
std::string campaign_table_text(const std::vector<ExperimentSummary>& rows);
// "LLM over all experiments: N calls (C cached), P prompt + Q completion
// tokens, cost X": the campaign's totals.
std::string campaign_llm_line(const std::vector<ExperimentSummary>& rows);

// Per variant, in order of appearance: finished and planned repeats and the
// held-out gain over I0 as the campaign's tables print it (`bigpe ls`).
struct VariantGain {
  std::string variant;
  int finished = 0;
  int planned = 0;
  std::string gain_over_baseline;
};
std::vector<VariantGain> variant_gains(const std::vector<ExperimentSummary>& rows);

}  // namespace bigpe::engine
