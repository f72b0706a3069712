#pragma once
// Everything one experiment's loop and evaluation work with, wired up by
// the ExperimentRunner: settings, the agents, the databases and the render
// path. Plain references: the runner owns the objects and outlives the
// loop.
#include <map>
#include <string>
#include <vector>

#include "scheduler/agents/generator.h"
#include "scheduler/agents/gradient_calculator.h"
#include "scheduler/agents/instruction_modifier.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/render/render_service.h"
#include "scheduler/store/state_store.h"
#include "scheduler/prodb/professional_db.h"
#include "scheduler/prodb/query_set.h"

namespace bigpe::engine {

struct EngineContext {
  const ExperimentSettings& settings;
  std::string experiment_id;
  QuerySplit queries;
  const ProfessionalDb& prodb;
  const Generator& generator;
  const GradientCalculator& gradient;
  const InstructionModifier& modifier;
  RenderService& renders;
  StateStore* store;  // null: nothing is persisted (in-process benchmarks)
};

// What the three agents' LLM calls came to so far in this process: in all,
// and per agent ("generator", "gradient", "modifier").
AgentTally agent_tally(const EngineContext& ctx);
std::map<std::string, AgentTally> agent_tallies(const EngineContext& ctx);
// Per agent, `now` - `before`.
std::map<std::string, AgentTally> tallies_since(const std::map<std::string, AgentTally>& before,
                                                const std::map<std::string, AgentTally>& now);

// Deterministic derived numbers: a run's randomness is a pure function of
// (experiment seed, purpose, coordinates), so a resumed iteration repeats
// the interrupted one exactly.
std::string stream_key(const ExperimentSettings& s, const std::string& purpose, int iteration);
// Sample index for LLM calls made in training iteration `iteration`
// (>= 2^29; evaluation uses small indices so its samples are shared).
int training_sample_index(const ExperimentSettings& s, int iteration);
int64_t image_seed(const std::string& material);

}  // namespace bigpe::engine
