#pragma once
// ExperimentSettings: the typed view of an experiment's config that the
// engine reads. Its members carry no defaults of their own: every value
// comes from the one settings table (experiment_config.cpp), where each key
// is bound to its member with its default, range and help. The component
// structs it embeds (render dispatch, LLM, agents, selector) are the ones
// those components take, so nothing is copied field by field on the way.
#include <cstddef>
#include <string>

#include "scheduler/agents/agent_options.h"
#include "scheduler/experiment/llm_settings.h"
#include "scheduler/render/render_dispatcher.h"
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

// `loop: budget` (budget_loop.h) and the render budget of either loop.
struct BudgetSettings {
  long renders{};       // total training renders; 0 = no budget (iterations only)
  int round{};          // renders per step of the budget loop
  int expand{};         // beam members expanded per step
  int gradients{};      // gradient-calculator calls per expanded member
  int pairs{};          // contrast pairs per gradient call
  int pro_cells{};      // first cells whose professional prompts are rendered
  int min_cells{};      // cells every new arm gets before it is compared
  int chunk{};          // cells per pull of ucb, greedy and eps-greedy
  int evidence{};       // gradient calls per member built around a target phrase (evidence_pairs.h)
  double pro_share{};   // share of budget.renders for professional renders (0: budget.pro_cells)
  int pro_per_cell{};   // professional prompts rendered per cell (0: professional.count)
  int children{};       // new arms kept per step, best predicted first (0: all)
  double min_gain{};    // predicted gain a screened child needs (phrase_evidence.h)
  double ridge{};       // phrase-evidence shrinkage, in renders (phrase_evidence.h)
  bool order_adds{};    // parent's Adds worst-rated first for the modifier (add_order.h)
};

struct ExperimentSettings {
  std::string name;
  long long seed{};
  std::string loop;  // "paper" | "budget"
  int iterations{};
  int batch_size{};
  int pool_size{};
  std::string initial_instruction;
  SelectorSettings selector;
  BudgetSettings budget;
  int images_per_prompt{};
  bool paired{};
  bool cache_reuse{};
  std::string gc;  // "contrast" | "random"

  // Professional prompts.
  std::string pro_source;  // synthetic | jsonl | text | none
  std::string pro_path;
  int pro_count{};
  int pro_exemplars{};  // BM25 exemplars when the query has no rows

  // Queries.
  std::string queries_path;  // empty = the project's list
  int heldout_size{};

  // LLM: the backend and its options, and what every agent sends with its
  // requests. agents.model is derived when the backend is built
  // (experiment_wiring.cpp); llm.max_tokens also caps the OpenAI client.
  LlmSettings llm;
  AgentOptions agents;

  // Rendering: the dispatcher's settings (service, render params, task
  // size, bounds); experiment_id and params.options are filled per run.
  DispatchSettings dispatch;
  std::string backend;   // workers' backend: sim or torchscript-sd
  // Local torchscript-sd workers: the model folders and the devices, one
  // worker per device ("auto": one per visible CUDA device, else the CPU).
  std::string render_model;
  std::string score_model;
  // score.scorers, score.optimize, score.judges (scheduler/render/
  // score_target.h): the workers' scorers, what the loop maximizes, and
  // the held-out scorers the evaluation also reports.
  std::string score_scorers;
  std::string score_optimize;
  std::string score_judges;
  std::string render_devices;
  bool prefetch{};       // submit work that does not depend on the barrier early
  bool llm_overlap{};
  bool timeline{};       // timing.timeline: <run folder>/timeline.jsonl (run/timeline_trace.h)    // render prompts as they arrive; ask survivors' next prompts early
  long long taste_seed{};
  // sim.judge_rho: the sim-judge scorer's agreement with sim (docs/sim-v1.md
  // 1.2); reaches the workers only when sim-judge is one of score.scorers.
  double sim_judge_rho{};
  std::string sim_vocabulary;
  double sim_cost_ms{};

  // Evaluation.
  bool eval_enabled{};
  int eval_seeds{};
  long long eval_seed_base{};

  // Infrastructure (may change on resume).
  std::string redis;    // auto | redis://host:port
  std::string redis_appendfsync;
  int redis_restarts{};  // the private redis-server is restarted at most this often
  std::string redis_password_file;  // AUTH password's file; never the password itself
  std::string broker_server_key;    // CURVE: broker's .pub file
  std::string broker_client_key;    // CURVE: our .key file
  std::string broker;   // embedded | tcp://host:port
  std::string workers;  // local | remote
  int local_workers{};
  int worker_slots{};
  std::string out;      // run folder; empty = runs/<experiment-id>
  bool write_images{};
  bool serve{};               // `bigpe serve` beside the run (docs/serve.md)
  std::string serve_listen;  // its HOST:PORT

  // Agent calls in flight at once, whatever the backend (llm.max_concurrent).
  int llm_concurrency() const { return llm.openai.max_concurrent; }
};

}  // namespace bigpe::engine
