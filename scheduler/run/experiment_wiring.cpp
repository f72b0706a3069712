#include "scheduler/run/experiment_wiring.h"

#include "scheduler/llm/timed_llm_client.h"

#include <algorithm>
#include <cstdio>

#include "common/csv_writer.h"

#include "scheduler/run/llm_factory.h"

namespace bigpe::engine {
namespace {

// The heuristic agents' "model name" names their knobs and vocabulary, so
// the LLM cache never mixes replies of differently tuned heuristics.
// (The 12 characters are a prefix of the backend identity's vocabulary hash.)
std::string heuristic_model_name(const ExperimentSettings& s, const sim::Vocabulary& vocab) {
  char knobs[96];
  std::snprintf(knobs, sizeof knobs, "gc=%.6g;quirk=%d", s.llm.heuristic.gc_specific, s.llm.heuristic.fallback_quirk ? 1 : 0);
  return std::string("heuristic-v1;") + knobs + ";vocab=" + sim::vocabulary_hash(vocab).substr(0, 12);
}

}  // namespace

ExperimentWiring::ExperimentWiring(const ExperimentSettings& s, const RedisOptions& redis, TimelineTrace* trace) {
  vocabulary = std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::load(s.sim_vocabulary.empty() ? sim::default_vocabulary_path() : s.sim_vocabulary));
  std::vector<std::string> all_queries =
      load_queries(s.queries_path.empty() ? default_queries_path() : s.queries_path);
  split = split_queries(all_queries, paper_table2_queries(), static_cast<std::size_t>(s.heldout_size));
  if (s.pro_source == "synthetic")
    prodb = ProfessionalDb::synthetic(all_queries, *vocabulary, 0);
  else if (s.pro_source == "jsonl")
    prodb = ProfessionalDb::load_jsonl(s.pro_path);
  else if (s.pro_source == "text")
    prodb = ProfessionalDb::load_text(s.pro_path);

  LlmSettings ls = s.llm;
  ls.vocabulary_path = s.sim_vocabulary;
  // One llm.max_tokens: what the agents ask for is also the client's cap.
  ls.openai.max_tokens = s.agents.max_tokens;
  std::unique_ptr<LlmClient> backend = make_llm_client(ls);
  if (ls.sim_latency.enabled()) {
    // experiment_checks refuses it for other backends.
    ls.sim_latency.seed = s.seed;
    auto timed = std::make_unique<SimulatedLatencyClient>(std::move(backend), ls.sim_latency,
                                                          LlmServerSlots::shared(ls.sim_latency.max_concurrency));
    sim_latency = timed.get();
    backend = std::move(timed);
  }
  if (trace)
    backend = std::make_unique<TimedLlmClient>(std::move(backend), [trace](AgentRole role, double start, double end) {
      trace->record("llm", role_name(role), start, end);
    });
  llm = std::make_unique<CachedLlmClient>(std::move(backend), std::make_shared<RedisClient>(redis));
  agent_options = s.agents;
  agent_options.model = s.llm.backend == "heuristic" ? heuristic_model_name(s, *vocabulary) : s.llm.openai.model;
  generator = std::make_unique<Generator>(*llm, agent_options);
  gradient = std::make_unique<GradientCalculator>(*llm, agent_options);
  modifier = std::make_unique<InstructionModifier>(*llm, agent_options);
}

DispatchSettings dispatch_settings(const ExperimentSettings& s, const std::string& experiment_id,
                                   const std::string& identity) {
  DispatchSettings ds = s.dispatch;
  ds.experiment_id = experiment_id;
  ds.identity = identity;
  if (s.backend == "sim") ds.params.options["sim.taste_seed"] = std::to_string(s.taste_seed);
  if (!s.cache_reuse) ds.params.options["cache.scope"] = experiment_id;
  // Names only matter when a score.* key asks for one: the default keeps
  // outcomes exactly what they were (score_checks.cpp has refused bad ones).
  if (!s.score_optimize.empty() || !s.score_judges.empty()) {
    ds.scorers = scorer_list(s.score_scorers, s.backend);
    ds.optimize = parse_score_target(s.score_optimize);
  }
  // Only a run that has the judge carries its rho: the options are in the
  // cache key, so every other run keeps its keys.
  const std::vector<std::string> scorers = scorer_list(s.score_scorers, s.backend);
  if (std::find(scorers.begin(), scorers.end(), "sim-judge") != scorers.end())
    ds.params.options["sim.judge_rho"] = csv_number(s.sim_judge_rho);
  return ds;
}

broker::BrokerClientOptions broker_client_options(const ExperimentSettings& s) {
  broker::BrokerClientOptions o;
  o.curve = broker::load_curve_client_keys(s.broker_client_key, s.broker_server_key);
  return o;
}

}  // namespace bigpe::engine
