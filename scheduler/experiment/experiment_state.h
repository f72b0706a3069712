#pragma once
// The scheduler's experiment state: everything needed to continue a run
// from an iteration boundary. The scheduler is its only writer; it is
// committed to Redis atomically at each boundary (state_store.h), so a
// killed run resumes from the last completed iteration and replays the
// interrupted one from the caches.
#include <map>
#include <string>
#include <vector>

#include "scheduler/agents/agent_counters.h"

#include "scheduler/selection/arm_history.h"

namespace bigpe::engine {

struct InstructionRecord {
  std::string id;           // "i0", "i1", ...
  std::string text;
  std::string parent;       // id of I_low it was derived from; empty for I0
  int born = 0;             // iteration that created it (-1 for I0)
  std::string improvement;  // the GC improvement (or "fallback") behind it
};

struct IterationSummary {
  int iteration = 0;
  double best = 0.0;   // best batch score among rendered instructions
  double mean = 0.0;   // mean batch score over them
  int pool = 0;        // instructions rendered this iteration
  std::string best_id;
  long renders_done = 0;    // cumulative
  long renders_cached = 0;  // cumulative
  long renders_scored = 0;  // cumulative; see ExperimentState
  // Cumulative render jobs asked for, cached or not: what budget.renders
  // counts, so the x axis of a curve against the budget.
  long renders_spent = 0;
};

struct ExperimentState {
  int next_iteration = 0;
  int next_instruction = 1;  // id counter ("i0" is I0)
  std::vector<std::string> pool;  // instruction ids, pool order
  std::map<std::string, InstructionRecord> instructions;
  HistoryTable history;  // by instruction text
  std::vector<IterationSummary> summaries;
  std::string final_id;  // best batch score in the last iteration
  long renders_done = 0;
  long renders_cached = 0;
  // Items neither rendered nor cached: a stored image scored by scorers
  // new to it (schemas/README.md section 6). Stored only when not 0, so
  // a state without it reads 0 and keeps its bytes.
  long renders_scored = 0;
  // Render jobs the loop asked for, cached or not: what budget.renders
  // counts, the same on a resumed run as on an uninterrupted one.
  long renders_spent = 0;
  // The agents' LLM requests over all iterations and the held-out
  // evaluation, in all and per agent ("generator", "gradient", "modifier");
  // a resumed run adds the interrupted iteration's again (answered by the
  // LLM cache, so counted as cached, with no tokens).
  AgentTally llm;
  std::map<std::string, AgentTally> llm_agents;
  bool finished = false;   // all iterations done
  bool evaluated = false;  // held-out evaluation stored
};

// Adds what each agent's calls came to since the last boundary to
// state.llm_agents and their sum to state.llm; returns the sum.
AgentTally add_llm(ExperimentState& state, const std::map<std::string, AgentTally>& by_agent);

std::string encode_state(const ExperimentState& state);
// Throws schemas::DecodeError naming the field.
ExperimentState decode_state(const std::string& bytes);

}  // namespace bigpe::engine
