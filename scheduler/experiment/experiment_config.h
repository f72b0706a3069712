#pragma once
// The experiment configuration: every key an experiment YAML file may set,
// declared once with its type, default and range (experiment_schema()), and
// the typed view the engine reads (ExperimentSettings).
#include <string>
#include <vector>

#include "common/config.h"
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

// `loop: budget` (budget_loop.h) and the render budget of either loop.
struct BudgetSettings {
  long renders = 0;        // total training renders; 0 = no budget (iterations only)
  int round = 30;          // renders per step of the budget loop
  int expand = 2;          // beam members expanded per step
  int gradients = 8;       // gradient-calculator calls per expanded member
  int pairs = 8;           // contrast pairs per gradient call
  int pro_cells = 10;      // first cells whose professional prompts are rendered
  int min_cells = 3;       // cells every new arm gets before it is compared
  int chunk = 2;           // cells per pull of ucb, greedy and eps-greedy
  int evidence = 8;        // gradient calls per member built around a target phrase (evidence_pairs.h)
  double pro_share = 0.45; // share of budget.renders for professional renders (0: budget.pro_cells)
  int pro_per_cell = 10;   // professional prompts rendered per cell (0: professional.count)
  int children = 4;        // new arms kept per step, best predicted first (0: all)
  double min_gain = 0.02;  // predicted gain a screened child needs (phrase_evidence.h)
  double ridge = 3.0;      // phrase-evidence shrinkage, in renders (phrase_evidence.h)
  bool order_adds = true;  // parent's Adds worst-rated first for the modifier (add_order.h)
};

// The schema lives for the whole program.
const ConfigSchema& experiment_schema();

struct ExperimentSettings {
  std::string name;
  long long seed = 0;
  std::string loop;  // "paper" | "budget"
  int iterations = 10;
  int batch_size = 3;
  int pool_size = 3;
  std::string initial_instruction;
  SelectorSettings selector;
  BudgetSettings budget;
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
  std::size_t max_in_flight = 4096;     // render tasks unanswered at once
  std::size_t max_prompt_chars = 8192;  // longer prompts are refused
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
  std::string redis_password_file;  // AUTH password's file; never the password itself
  std::string broker_server_key;    // CURVE: broker's .pub file
  std::string broker_client_key;    // CURVE: our .key file
  std::string broker;   // embedded | tcp://host:port
  std::string workers;  // local | remote
  int local_workers = 2;
  int worker_slots = 2;
  std::string out;      // run folder; empty = runs/<experiment-id>
  bool write_images = true;
};

// Throws ConfigError when a value holds a secret (a password in the redis
// url): the resolved config is stored in Redis and in run.json.
void refuse_secrets(const Config& config);

// Calls refuse_secrets() first.
ExperimentSettings settings_from(const Config& config);

}  // namespace bigpe::engine
