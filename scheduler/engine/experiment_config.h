#pragma once
// The experiment configuration: every key an experiment YAML file may set,
// declared once with its type, default and range (experiment_schema()), and
// the typed view the engine reads (ExperimentSettings).
#include <string>
#include <vector>

#include "common/config.h"
#include "scheduler/engine/selector.h"

namespace bigpe::engine {

// The schema lives for the whole program.
const ConfigSchema& experiment_schema();

struct ExperimentSettings {
  std::string name;
  long long seed = 0;
  std::string loop;  // "paper"
  int iterations = 10;
  int batch_size = 3;
  int pool_size = 3;
  std::string initial_instruction;
  SelectorSettings selector;
  int images_per_prompt = 1;
  bool paired = false;
  bool cache_reuse = true;
  std::string gc;  // "contrast" | "random"

  // Professional prompts.
  std::string pro_source;  // synthetic | jsonl | text | none
  std::string pro_path;
  int pro_count = 5;
  int pro_exemplars = 10;  // BM25 exemplars when the query has no rows

  // Queries.
  std::string queries_path;  // empty = the project's list
  int heldout_size = 20;

  // LLM.
  std::string llm_backend;  // heuristic | openai
  std::string llm_model;
  std::string llm_base_url;
  std::string llm_api_key_env;
  double llm_temperature = 1.0;
  int llm_max_tokens = 512;
  double llm_timeout_s = 60;
  int llm_max_retries = 5;
  int llm_max_concurrent = 8;
  double gc_specific = 0.5;
  bool fallback_quirk = false;

  // Rendering.
  std::string service;
  std::string backend;  // sim
  int steps = 1;
  double guidance = 0.0;
  int width = 512;
  int height = 512;
  std::string sampler;
  std::string negative;
  int items_per_task = 1;
  bool prefetch = true;  // submit work that does not depend on the barrier early
  long long taste_seed = 0;
  std::string sim_vocabulary;
  double sim_cost_ms = 0;

  // Evaluation.
  bool eval_enabled = true;
  int eval_seeds = 8;
  long long eval_seed_base = 1000000;

  // Infrastructure (may change on resume).
  std::string redis;    // auto | redis://host:port
  std::string redis_appendfsync;
  std::string broker;   // embedded | tcp://host:port
  std::string workers;  // local | remote
  int local_workers = 2;
  int worker_slots = 2;
  std::string out;      // run folder; empty = runs/<experiment-id>
  bool write_images = true;
};

ExperimentSettings settings_from(const Config& config);

}  // namespace bigpe::engine
