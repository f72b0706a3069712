#pragma once
// `bigpe eval`: the paper's Table 2 protocol, generalised. A fixed query set
// (default: the experiment's held-out queries), `eval.seeds` seeds per query
// shared by every method, and the methods plain, baseline (I0 through the
// generator), professional (one prompt per query) and one optimized method
// per instruction (the final instruction of each experiment given, and each
// --instruction). With one optimized instruction its method is "optimized";
// with several, "optimized:<label>" (label: the campaign cell variant.rK,
// the experiment id, or instruction-<k>).
//
// The task (agents, renderer, taste, prompts) comes from the first
// experiment's config (or --config); every experiment given must agree on
// the keys that define it. Renders go through the folder's live services
// when its owner is running, else through the folder's own redis-server,
// an embedded broker and local workers, all cached, so a repeated
// evaluation renders nothing.
//
// Stored in Redis as bigpe:eval:<eval-id> and, for each experiment given,
// bigpe:exp:<id>:eval:<eval-id> (listed in the hash bigpe:exp:<id>:evals);
// written as CSV (eval_tables.h) into --out (default <first run
// folder>/eval-<eval-id>, or evals/<eval-id>).
//
// Thread-safety: call from the main thread.
#include <iosfwd>
#include <string>
#include <vector>

namespace bigpe::engine {

struct EvalRequest {
  std::vector<std::string> sources;       // run folders or experiment ids
  std::vector<std::string> instructions;  // --instruction TEXT
  std::string config_path;                // --config: the task when no run folder is given
  std::string redis_url;                  // --redis: look experiment ids up there
  std::string queries_path;               // --queries: one query per line; empty = held-out
  int seeds = 0;                          // --seeds: 0 = the config's eval.seeds
  std::string out_dir;                    // --out
  std::vector<std::string> overrides;     // key=value on the task config
};

// Returns the exit status: 0 done, 1 bad input, 2 failed while rendering.
int run_eval(const EvalRequest& request, std::ostream& out);

}  // namespace bigpe::engine
