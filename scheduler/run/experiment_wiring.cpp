#include "scheduler/run/experiment_wiring.h"

#include <cstdio>

#include "scheduler/run/llm_factory.h"

namespace bigpe::engine {
namespace {

// The heuristic agents' "model name" names their knobs and vocabulary, so
// the LLM cache never mixes replies of differently tuned heuristics.
// (The 12 characters are a prefix of the backend identity's vocabulary hash.)
std::string heuristic_model_name(const ExperimentSettings& s, const sim::Vocabulary& vocab) {
  char knobs[96];
  std::snprintf(knobs, sizeof knobs, "gc=%.6g;quirk=%d", s.gc_specific, s.fallback_quirk ? 1 : 0);
  return std::string("heuristic-v1;") + knobs + ";vocab=" + sim::vocabulary_hash(vocab).substr(0, 12);
}

}  // namespace

ExperimentWiring::ExperimentWiring(const ExperimentSettings& s, const RedisOptions& redis) {
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

  LlmSettings ls;
  ls.backend = s.llm_backend;
  ls.heuristic.gc_specific = s.gc_specific;
  ls.heuristic.fallback_quirk = s.fallback_quirk;
  ls.vocabulary_path = s.sim_vocabulary;
  ls.openai.base_url = s.llm_base_url;
  ls.openai.model = s.llm_model;
  ls.openai.api_key_env = s.llm_api_key_env;
  ls.openai.timeout_s = s.llm_timeout_s;
  ls.openai.max_retries = s.llm_max_retries;
  ls.openai.max_concurrent = s.llm_max_concurrent;
  ls.openai.max_tokens = s.llm_max_tokens;
  llm = std::make_unique<CachedLlmClient>(make_llm_client(ls), std::make_shared<RedisClient>(redis));
  agent_options.model = s.llm_backend == "heuristic" ? heuristic_model_name(s, *vocabulary) : s.llm_model;
  agent_options.temperature = s.llm_temperature;
  agent_options.max_tokens = s.llm_max_tokens;
  generator = std::make_unique<Generator>(*llm, agent_options);
  gradient = std::make_unique<GradientCalculator>(*llm, agent_options);
  modifier = std::make_unique<InstructionModifier>(*llm, agent_options);
}

DispatchSettings dispatch_settings(const ExperimentSettings& s, const std::string& experiment_id,
                                   const std::string& identity) {
  DispatchSettings ds;
  ds.experiment_id = experiment_id;
  ds.service = s.service;
  ds.identity = identity;
  ds.items_per_task = s.items_per_task;
  ds.max_in_flight = s.max_in_flight;
  ds.max_prompt_chars = s.max_prompt_chars;
  ds.params.steps = s.steps;
  ds.params.guidance = s.guidance;
  ds.params.width = s.width;
  ds.params.height = s.height;
  ds.params.sampler = s.sampler;
  ds.params.negative = s.negative;
  if (s.backend == "sim") ds.params.options["sim.taste_seed"] = std::to_string(s.taste_seed);
  if (!s.cache_reuse) ds.params.options["cache.scope"] = experiment_id;
  return ds;
}

broker::BrokerClientOptions broker_client_options(const ExperimentSettings& s) {
  broker::BrokerClientOptions o;
  o.curve = broker::load_curve_client_keys(s.broker_client_key, s.broker_server_key);
  return o;
}

}  // namespace bigpe::engine
