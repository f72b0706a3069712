#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {
namespace {

using S = ExperimentSettings;
using schemas::RenderParams;

// The one settings table: each line binds a key to its member, with the
// default, range and help. Defaults live here and nowhere else.
SettingTable<S> build_table() {
  SettingTable<S> t;
  t.add("name", at(&S::name), "experiment", "name; the experiment id starts with it").infra();
  t.add("seed", at(&S::seed), 0, "experiment seed (queries, sampling, coins)").range(0, 9.2e18);
  t.add("loop", at(&S::loop), "paper", "optimization loop").choices({"paper", "budget"});
  t.add("iterations", at(&S::iterations), 10, "iterations of the loop").range(1, 100000);
  t.add("batch_size", at(&S::batch_size), 3, "queries per iteration").range(1, 100000);
  t.add("pool_size", at(&S::pool_size), 3, "instructions kept by the selector (b)").range(1, 1000);
  t.add("initial_instruction", at(&S::initial_instruction),
        "This is the original prompt that you need to carefully refine", "I0");
  t.add("selector.kind", at(&S::selector, &SelectorSettings::kind), "ucb", "selector")
      .choices({"ucb", "ucb-paper", "greedy", "eps-greedy", "successive-halving", "successive-rejects"});
  t.add("selector.c", at(&S::selector, &SelectorSettings::c), 0.8, "UCB exploration constant").range(0, 1e6);
  t.add("selector.epsilon", at(&S::selector, &SelectorSettings::epsilon), 0.1, "eps-greedy exploration")
      .range(0, 1);
  t.add("budget.renders", at(&S::budget, &BudgetSettings::renders), 0,
        "training renders after which the run ends (0: iterations only)")
      .range(0, 1e12);
  t.add("budget.round", at(&S::budget, &BudgetSettings::round), 30, "budget loop: renders per step")
      .range(1, 1e9);
  t.add("budget.expand", at(&S::budget, &BudgetSettings::expand), 2,
        "budget loop: beam members expanded per step")
      .range(0, 16);
  t.add("budget.gradients", at(&S::budget, &BudgetSettings::gradients), 8,
        "budget loop: gradient calls per expanded member")
      .range(1, 16);
  t.add("budget.pairs", at(&S::budget, &BudgetSettings::pairs), 8,
        "budget loop: contrast pairs per gradient call")
      .range(1, 1000);
  t.add("budget.pro_cells", at(&S::budget, &BudgetSettings::pro_cells), 10,
        "budget loop: first cells whose professional prompts are rendered")
      .range(0, 100000);
  t.add("budget.min_cells", at(&S::budget, &BudgetSettings::min_cells), 3,
        "budget loop: cells a new arm gets before comparison")
      .range(1, 100000);
  t.add("budget.chunk", at(&S::budget, &BudgetSettings::chunk), 2, "budget loop: cells per ucb/greedy pull")
      .range(1, 100000);
  t.add("budget.evidence", at(&S::budget, &BudgetSettings::evidence), 8,
        "budget loop: gradient calls per member whose pairs target a well-rated phrase")
      .range(0, 16);
  t.add("budget.pro_share", at(&S::budget, &BudgetSettings::pro_share), 0.45,
        "budget loop: share of budget.renders spent on professional prompts (0: budget.pro_cells)")
      .range(0, 1);
  t.add("budget.pro_per_cell", at(&S::budget, &BudgetSettings::pro_per_cell), 10,
        "budget loop: professional prompts rendered per cell (0: professional.count)")
      .range(0, 1000);
  t.add("budget.children", at(&S::budget, &BudgetSettings::children), 4,
        "budget loop: new arms kept per step, best predicted gain first (0: all)")
      .range(0, 1000);
  t.add("budget.min_gain", at(&S::budget, &BudgetSettings::min_gain), 0.02,
        "budget loop: predicted gain a new arm needs to be kept (the best one always is)")
      .range(-1e6, 1e6);
  t.add("budget.ridge", at(&S::budget, &BudgetSettings::ridge), 3,
        "budget loop: shrinkage of the phrase evidence, in renders")
      .range(0, 1e6);
  t.add("budget.order_adds", at(&S::budget, &BudgetSettings::order_adds), true,
        "budget loop: show the modifier the parent's Adds worst-rated first, so its cap drops the worst");
  t.add("images_per_prompt", at(&S::images_per_prompt), 1, "images (seeds) per prompt; score = mean")
      .range(1, 1000);
  t.add("paired", at(&S::paired), false, "same seeds for every arm and professional prompt of a query");
  t.add("cache.reuse", at(&S::cache_reuse), true,
        "reuse cached renders across iterations and experiments (false: only on resume)");
  t.add("gc", at(&S::gc), "contrast",
        "children from the gradient calculator (contrast) or random mutation (random)")
      .choices({"contrast", "random"});
  t.add("professional.source", at(&S::pro_source), "synthetic", "professional prompt database")
      .choices({"synthetic", "jsonl", "text", "none"});
  t.add("professional.path", at(&S::pro_path), "", "database file for jsonl or text");
  t.add("professional.count", at(&S::pro_count), 5, "professional prompts per query per iteration")
      .range(0, 1000);
  t.add("professional.exemplars", at(&S::pro_exemplars), 10, "BM25 exemplars when a query has no rows")
      .range(1, 1000);
  t.add("queries.path", at(&S::queries_path), "", "plain queries, one per line (empty: the project's list)");
  t.add("queries.heldout", at(&S::heldout_size), 20, "held-out queries").range(1, 100000);
  t.add("llm.backend", at(&S::llm, &LlmSettings::backend), "heuristic", "LLM backend")
      .choices({"heuristic", "openai"});
  t.add("llm.model", at(&S::llm, &LlmSettings::openai, &OpenAiOptions::model), "gpt-3.5-turbo-0125",
        "model name (openai)");
  t.add("llm.base_url", at(&S::llm, &LlmSettings::openai, &OpenAiOptions::base_url), "http://127.0.0.1:8000",
        "OpenAI-compatible server")
      .infra();
  t.add("llm.api_key_env", at(&S::llm, &LlmSettings::openai, &OpenAiOptions::api_key_env), "",
        "environment variable holding the API key (empty: none)")
      .infra();
  t.add("llm.temperature", at(&S::agents, &AgentOptions::temperature), 1.0, "sampling temperature")
      .range(0, 2);
  t.add("llm.max_tokens", at(&S::agents, &AgentOptions::max_tokens), 512, "completion token limit")
      .range(1, 1000000);
  t.add("llm.timeout_s", at(&S::llm, &LlmSettings::openai, &OpenAiOptions::timeout_s), 60, "request timeout")
      .range(0.1, 3600)
      .infra();
  t.add("llm.max_retries", at(&S::llm, &LlmSettings::openai, &OpenAiOptions::max_retries), 5,
        "retries on 429, 5xx and timeouts")
      .range(0, 100)
      .infra();
  t.add("llm.max_concurrent", at(&S::llm, &LlmSettings::openai, &OpenAiOptions::max_concurrent), 8,
        "concurrent requests")
      .range(1, 1024)
      .infra();
  t.add("llm.price.prompt_per_1m", at(&S::llm, &LlmSettings::price_prompt_per_1m), 0.0,
        "price of 1M prompt tokens, for the cost in reports (0: not priced)")
      .range(0, 1e6)
      .infra();
  t.add("llm.price.completion_per_1m", at(&S::llm, &LlmSettings::price_completion_per_1m), 0.0,
        "price of 1M completion tokens, for the cost in reports (0: not priced)")
      .range(0, 1e6)
      .infra();
  // Simulated server timing changes when answers arrive, never what they
  // are, so a resume may change it.
  t.add("llm.sim_latency_ms", at(&S::llm, &LlmSettings::sim_latency, &SimLatencyOptions::mean_ms), 0,
        "heuristic backend: mean simulated latency of an uncached call (0: none)")
      .range(0, 1e6)
      .infra();
  t.add("llm.sim_latency_sd_ms", at(&S::llm, &LlmSettings::sim_latency, &SimLatencyOptions::sd_ms), 0,
        "heuristic backend: sd of the simulated latency (lognormal; 0: constant)")
      .range(0, 1e6)
      .infra();
  t.add("llm.sim_max_concurrency", at(&S::llm, &LlmSettings::sim_latency, &SimLatencyOptions::max_concurrency), 16,
        "heuristic backend: calls the simulated server serves at once (shared by a process's experiments)")
      .range(1, 1024)
      .infra();
  t.add("heuristic.gc_specific", at(&S::llm, &LlmSettings::heuristic, &HeuristicOptions::gc_specific), 0.5,
        "heuristic GC: share of contrast items")
      .range(0, 1);
  t.add("heuristic.fallback_quirk", at(&S::llm, &LlmSettings::heuristic, &HeuristicOptions::fallback_quirk),
        false, "heuristic IM fallback returns one empty instruction");
  t.add("render.service", at(&S::dispatch, &DispatchSettings::service), "sim",
        "service (model profile) the tasks go to");
  t.add("render.backend", at(&S::backend), "sim",
        "workers' backend (torchscript-sd: the libtorch renderer with the libtorch scorers of score.model, hpsv2 "
        "by default)")
      .choices({"sim", "torchscript-sd"});
  // The model folders' contents are in the backend identity (pinned per
  // experiment), so where they lie may change on resume.
  t.add("render.model", at(&S::render_model), "", "torchscript-sd model folder for local workers (docs/models.md)")
      .infra();
  t.add("score.model", at(&S::score_model), "",
        "scorer model folder for local workers (hpsv2, pickscore or aesthetic: each folder serves the scorer of its "
        "manifest's family); several comma-separated, one per scorer of score.scorers (a folder path may not "
        "contain a comma; docs/models.md)")
      .infra();
  t.add("score.scorers", at(&S::score_scorers), "",
        "the workers' scorers, comma-separated (sim,sim-judge); every image gets each one's score, the first "
        "one's is the default score.optimize (empty: the backend's own, sim or hpsv2)");
  t.add("score.optimize", at(&S::score_optimize), "",
        "what the loop maximizes: a scorer of score.scorers, or a weighted sum name:weight,name:weight "
        "(weights above 0, not normalised); empty: the first scorer's score");
  t.add("score.judges", at(&S::score_judges), "",
        "held-out scorers, comma-separated: the evaluation reports each one's score per arm beside the "
        "optimized one, with the same paired intervals; none may be in score.optimize");
  t.add("render.devices", at(&S::render_devices), "auto",
        "local torchscript-sd workers, one per device: auto (each visible CUDA device, else the CPU), cpu, or "
        "a list such as cuda:0,cuda:1")
      .infra();
  t.add("render.steps", at(&S::dispatch, &DispatchSettings::params, &RenderParams::steps), 1,
        "denoising steps")
      .range(0, 1000);
  t.add("render.guidance", at(&S::dispatch, &DispatchSettings::params, &RenderParams::guidance), 0,
        "classifier-free guidance")
      .range(0, 100);
  t.add("render.width", at(&S::dispatch, &DispatchSettings::params, &RenderParams::width), 512, "image width")
      .range(8, 8192);
  t.add("render.height", at(&S::dispatch, &DispatchSettings::params, &RenderParams::height), 512,
        "image height")
      .range(8, 8192);
  t.add("render.sampler", at(&S::dispatch, &DispatchSettings::params, &RenderParams::sampler), "euler",
        "scheduler");
  t.add("render.negative", at(&S::dispatch, &DispatchSettings::params, &RenderParams::negative), "",
        "negative prompt");
  t.add("render.items_per_task", at(&S::dispatch, &DispatchSettings::items_per_task), 1,
        "render items per task")
      .range(1, 4096)
      .infra();
  t.add("render.prefetch", at(&S::prefetch), true,
        "submit the next step's fixed renders before the iteration barrier")
      .infra();
  t.add("llm.overlap", at(&S::llm_overlap), true,
        "render each prompt as it arrives and ask for the surviving instructions' next prompts "
        "while the gradient calculator and modifier run")
      .infra();
  t.add("timing.timeline", at(&S::timeline), false,
        "write every LLM call, render and iteration as an interval to <run folder>/timeline.jsonl")
      .infra();
  t.add("render.max_in_flight", at(&S::dispatch, &DispatchSettings::max_in_flight), 4096,
        "most render tasks submitted and unanswered at once (0: no bound)")
      .range(0, 1e9)
      .infra();
  t.add("render.max_prompt_chars", at(&S::dispatch, &DispatchSettings::max_prompt_chars), 8192,
        "refuse prompts longer than this many characters (0: no limit)")
      .range(0, 1e9)
      .infra();
  t.add("sim.taste_seed", at(&S::taste_seed), 0, "sim-v1 task (hidden preference model)").range(0, 9.2e18);
  t.add("sim.judge_rho", at(&S::sim_judge_rho), 0.5,
        "sim-judge's agreement with sim, in [-1, 1] (docs/sim-v1.md 1.2); used only when score.scorers has sim-judge")
      .range(-1, 1);
  t.add("sim.vocabulary", at(&S::sim_vocabulary), "", "sim vocabulary file (empty: the project's list)");
  t.add("sim.cost_ms", at(&S::sim_cost_ms), 60, "simulated GPU time per image").range(0, 1e6).infra();
  t.add("eval.enabled", at(&S::eval_enabled), true, "held-out evaluation at the end");
  t.add("eval.seeds", at(&S::eval_seeds), 8, "seeds per held-out query").range(1, 10000);
  t.add("eval.seed_base", at(&S::eval_seed_base), 1000000, "first evaluation seed").range(0, 9.2e18);
  t.add("redis", at(&S::redis), "auto",
        "auto (private redis-server) or redis://host:port (no password here: see redis_password_file)")
      .infra();
  t.add("redis_password_file", at(&S::redis_password_file), "",
        "file whose first line is the Redis AUTH password (else env BIGPE_REDIS_PASSWORD[_FILE])")
      .infra();
  t.add("broker_auth.server_key", at(&S::broker_server_key), "",
        "CURVE: the broker's public key file (bigpe keygen); empty = no CURVE")
      .infra();
  t.add("broker_auth.client_key", at(&S::broker_client_key), "", "CURVE: this scheduler's secret key file")
      .infra();
  t.add("redis_appendfsync", at(&S::redis_appendfsync), "everysec", "private redis fsync policy")
      .choices({"everysec", "always"})
      .infra();
  t.add("redis_restarts", at(&S::redis_restarts), 3,
        "times a private redis-server that dies is restarted from its file (0: the run stops, resumable)")
      .range(0, 1000)
      .infra();
  t.add("broker", at(&S::broker), "embedded", "embedded or tcp://host:port").infra();
  t.add("workers", at(&S::workers), "local", "local (in-process) or remote")
      .choices({"local", "remote"})
      .infra();
  t.add("local_workers", at(&S::local_workers), 2, "in-process workers").range(1, 256).infra();
  t.add("worker_slots", at(&S::worker_slots), 2, "tasks a local worker holds at once").range(1, 64).infra();
  t.add("out", at(&S::out), "", "run folder (default runs/<experiment-id>)").infra();
  t.add("write_images", at(&S::write_images), true, "local workers write PNGs to the run folder").infra();
  t.add("serve", at(&S::serve), false, "start the live web view with the run and print its URL (docs/serve.md)")
      .infra();
  t.add("serve.listen", at(&S::serve_listen), "127.0.0.1:8080", "HOST:PORT of the live web view (port 0: any)")
      .infra();
  return t;
}

const SettingTable<S>& table() {
  static const SettingTable<S> t = build_table();
  return t;
}

}  // namespace

const ConfigSchema& experiment_schema() {
  static const ConfigSchema schema = table().schema();
  return schema;
}

const std::deque<SettingBinding<ExperimentSettings>>& experiment_bindings() { return table().bindings(); }

void refuse_secrets(const Config& c) {
  // The resolved config is stored in Redis and in run.json: a password in
  // the url would end up in both, readable by anyone who can read those.
  const std::string& url = c.get_string("redis");
  if (url.rfind("redis://", 0) == 0 && url.find('@') != std::string::npos)
    throw ConfigError(
        "key 'redis': the url holds a password, which would be stored with the experiment; "
        "give it in redis_password_file or the environment (BIGPE_REDIS_PASSWORD, "
        "BIGPE_REDIS_PASSWORD_FILE) instead");
}

ExperimentSettings settings_from(const Config& c) {
  refuse_secrets(c);
  return table().settings_from(c);
}

}  // namespace bigpe::engine
