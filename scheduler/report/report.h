#pragma once
// The run folder's report: report.json (machine-readable; field names are a
// contract scripts rely on: experiment_id, config_hash, iterations,
// renders.done, renders.cached, renders.scored (only when not 0: items
// scored only, stored images, new scorers), llm.{calls, retries, unusable,
// subject_dropped, cached, prompt_tokens, completion_tokens, cost} (and the
// same per agent in llm_agents.<agent>, the prices in llm_price),
// final_instruction,
// eval.<method>.{mean, ci_low, ci_high, n}; the intervals are 95% bootstrap
// intervals, and the gain_over_* entries add a Wilcoxon p_value) and
// report.md, plus the result table printed at the end of `bigpe run`.
#include <string>

#include "scheduler/engine/evaluation.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/experiment/experiment_state.h"
#include "scheduler/llm/simulated_latency_client.h"

namespace bigpe::engine {

// One iteration as this process timed it (report.json timing.iterations).
struct IterationTiming {
  double wall_s = 0.0;
  double worker_busy_s = 0.0;
  std::vector<LlmStageStats> llm = {};  // simulated LLM latency per role; empty without it
};

struct ReportInput {
  std::string experiment_id;
  std::string config_hash;
  const ExperimentSettings* settings = nullptr;
  const ExperimentState* state = nullptr;
  const EvaluationResult* eval = nullptr;  // null when evaluation is off
  std::string run_dir;
  // This process's timing of the loop (not of time before a resume).
  double loop_wall_s = 0.0;
  double worker_busy_s = 0.0;
  double scheduler_s = 0.0;  // loop time not spent waiting for renders
  int loop_iterations = 0;   // iterations run by this process
  // Unix times of the loop's start and end, so the experiments of one
  // campaign can be laid on one time line.
  double loop_start_unix_s = 0.0;
  double loop_end_unix_s = 0.0;
  std::vector<IterationTiming> iteration_timing = {};
  int llm_server_concurrency = 0;  // llm.sim_max_concurrency when simulated latency is on, else 0
};

// The held-out comparison as a fixed-width text table.
std::string result_table(const EvaluationResult& eval);
std::string report_json(const ReportInput& in);
std::string report_markdown(const ReportInput& in);
// Writes report.json and report.md into in.run_dir; throws naming the file.
void write_reports(const ReportInput& in);

}  // namespace bigpe::engine
