#pragma once
// ExperimentWiring: the objects an experiment's loop and evaluation work
// with, built from its settings: the query split, the professional prompt
// database, the (cached) LLM client and the three agents, plus the render
// dispatch settings. Shared by `bigpe run`, `bigpe campaign` and
// `bigpe eval`, so an evaluation after the fact sees exactly the agents and
// prompts the experiment saw.
//
// Thread-safety: built once; the agents are as thread-safe as their LLM
// client (CachedLlmClient may be called from several threads).
#include <memory>
#include <string>
#include <vector>

#include "broker/broker_client.h"
#include "common/redis/redis_client.h"
#include "backends/sim/sim_vocabulary.h"
#include "scheduler/agents/generator.h"
#include "scheduler/agents/gradient_calculator.h"
#include "scheduler/agents/instruction_modifier.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/render/render_dispatcher.h"
#include "scheduler/llm/cached_llm_client.h"
#include "scheduler/llm/simulated_latency_client.h"
#include "scheduler/prodb/professional_db.h"
#include "scheduler/prodb/query_set.h"
#include "scheduler/run/timeline_trace.h"

namespace bigpe::engine {

class ExperimentWiring {
 public:
  // Throws std::runtime_error naming the file that could not be read
  // (queries, vocabulary, professional prompts) or the backend that failed.
  // With a trace, every LLM call that reaches the backend is recorded on it.
  ExperimentWiring(const ExperimentSettings& s, const RedisOptions& redis, TimelineTrace* trace = nullptr);
  ExperimentWiring(const ExperimentWiring&) = delete;
  ExperimentWiring& operator=(const ExperimentWiring&) = delete;

  std::shared_ptr<const sim::Vocabulary> vocabulary;
  QuerySplit split;
  ProfessionalDb prodb;
  std::unique_ptr<CachedLlmClient> llm;
  // Below the cache when llm.sim_latency_ms is set, else null (owned by llm).
  SimulatedLatencyClient* sim_latency = nullptr;
  AgentOptions agent_options;
  std::unique_ptr<Generator> generator;
  std::unique_ptr<GradientCalculator> gradient;
  std::unique_ptr<InstructionModifier> modifier;
};

// How the experiment's renders are submitted (service, the backend identity
// from check_backend_identity(), params, the sim taste as a task option,
// cache scope).
DispatchSettings dispatch_settings(const ExperimentSettings& s, const std::string& experiment_id,
                                   const std::string& identity);

// How the scheduler talks to the broker (CURVE keys from broker_auth.*).
// Throws std::runtime_error naming a key file that cannot be read.
broker::BrokerClientOptions broker_client_options(const ExperimentSettings& s);

}  // namespace bigpe::engine
