#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {
namespace {

ConfigKey key(std::string name, ConfigType type, std::string def, std::string help) {
  ConfigKey k;
  k.name = std::move(name);
  k.type = type;
  k.default_value = std::move(def);
  k.help = std::move(help);
  return k;
}

ConfigKey ranged(ConfigKey k, double lo, double hi) {
  k.min = lo;
  k.max = hi;
  return k;
}

ConfigKey choice(ConfigKey k, std::vector<std::string> choices) {
  k.choices = std::move(choices);
  return k;
}

ConfigKey infra(ConfigKey k) {
  k.affects_result = false;
  return k;
}

ConfigSchema build_schema() {
  using T = ConfigType;
  ConfigSchema s;
  s.add(infra(key("name", T::kString, "experiment", "name; the experiment id starts with it")));
  s.add(ranged(key("seed", T::kInt, "0", "experiment seed (queries, sampling, coins)"), 0, 9.2e18));
  s.add(choice(key("loop", T::kString, "paper", "optimization loop"), {"paper", "budget"}));
  s.add(ranged(key("iterations", T::kInt, "10", "iterations of the loop"), 1, 100000));
  s.add(ranged(key("batch_size", T::kInt, "3", "queries per iteration"), 1, 100000));
  s.add(ranged(key("pool_size", T::kInt, "3", "instructions kept by the selector (b)"), 1, 1000));
  s.add(key("initial_instruction", T::kString,
            "This is the original prompt that you need to carefully refine", "I0"));
  s.add(choice(key("selector.kind", T::kString, "ucb", "selector"),
               {"ucb", "ucb-paper", "greedy", "eps-greedy", "successive-halving", "successive-rejects"}));
  s.add(ranged(key("selector.c", T::kDouble, "0.8", "UCB exploration constant"), 0, 1e6));
  s.add(ranged(key("selector.epsilon", T::kDouble, "0.1", "eps-greedy exploration"), 0, 1));
  s.add(ranged(key("budget.renders", T::kInt, "0",
                   "training renders after which the run ends (0: iterations only)"), 0, 1e12));
  s.add(ranged(key("budget.round", T::kInt, "30", "budget loop: renders per step"), 1, 1e9));
  s.add(ranged(key("budget.expand", T::kInt, "2", "budget loop: beam members expanded per step"), 0, 16));
  s.add(ranged(key("budget.gradients", T::kInt, "8", "budget loop: gradient calls per expanded member"), 1, 16));
  s.add(ranged(key("budget.pairs", T::kInt, "8", "budget loop: contrast pairs per gradient call"), 1, 1000));
  s.add(ranged(key("budget.pro_cells", T::kInt, "10",
                   "budget loop: first cells whose professional prompts are rendered"), 0, 100000));
  s.add(ranged(key("budget.min_cells", T::kInt, "3", "budget loop: cells a new arm gets before comparison"), 1, 100000));
  s.add(ranged(key("budget.chunk", T::kInt, "2", "budget loop: cells per ucb/greedy pull"), 1, 100000));
  s.add(ranged(key("budget.evidence", T::kInt, "8",
                   "budget loop: gradient calls per member whose pairs target a well-rated phrase"), 0, 16));
  s.add(ranged(key("budget.pro_share", T::kDouble, "0.45",
                   "budget loop: share of budget.renders spent on professional prompts (0: budget.pro_cells)"), 0, 1));
  s.add(ranged(key("budget.pro_per_cell", T::kInt, "10",
                   "budget loop: professional prompts rendered per cell (0: professional.count)"), 0, 1000));
  s.add(ranged(key("budget.children", T::kInt, "4",
                   "budget loop: new arms kept per step, best predicted gain first (0: all)"), 0, 1000));
  s.add(ranged(key("budget.min_gain", T::kDouble, "0.02",
                   "budget loop: predicted gain a new arm needs to be kept (the best one always is)"), -1e6, 1e6));
  s.add(ranged(key("budget.ridge", T::kDouble, "3",
                   "budget loop: shrinkage of the phrase evidence, in renders"), 0, 1e6));
  s.add(key("budget.order_adds", T::kBool, "true",
            "budget loop: show the modifier the parent's Adds worst-rated first, so its cap drops the worst"));
  s.add(ranged(key("images_per_prompt", T::kInt, "1", "images (seeds) per prompt; score = mean"), 1, 1000));
  s.add(key("paired", T::kBool, "false", "same seeds for every arm and professional prompt of a query"));
  s.add(key("cache.reuse", T::kBool, "true",
            "reuse cached renders across iterations and experiments (false: only on resume)"));
  s.add(choice(key("gc", T::kString, "contrast",
                   "children from the gradient calculator (contrast) or random mutation (random)"),
               {"contrast", "random"}));
  s.add(choice(key("professional.source", T::kString, "synthetic", "professional prompt database"),
               {"synthetic", "jsonl", "text", "none"}));
  s.add(key("professional.path", T::kString, "", "database file for jsonl or text"));
  s.add(ranged(key("professional.count", T::kInt, "5", "professional prompts per query per iteration"), 0, 1000));
  s.add(ranged(key("professional.exemplars", T::kInt, "10", "BM25 exemplars when a query has no rows"), 1, 1000));
  s.add(key("queries.path", T::kString, "", "plain queries, one per line (empty: the project's list)"));
  s.add(ranged(key("queries.heldout", T::kInt, "20", "held-out queries"), 1, 100000));
  s.add(choice(key("llm.backend", T::kString, "heuristic", "LLM backend"), {"heuristic", "openai"}));
  s.add(key("llm.model", T::kString, "gpt-3.5-turbo-0125", "model name (openai)"));
  s.add(infra(key("llm.base_url", T::kString, "http://127.0.0.1:8000", "OpenAI-compatible server")));
  s.add(infra(key("llm.api_key_env", T::kString, "", "environment variable holding the API key (empty: none)")));
  s.add(ranged(key("llm.temperature", T::kDouble, "1.0", "sampling temperature"), 0, 2));
  s.add(ranged(key("llm.max_tokens", T::kInt, "512", "completion token limit"), 1, 1000000));
  s.add(infra(ranged(key("llm.timeout_s", T::kDouble, "60", "request timeout"), 0.1, 3600)));
  s.add(infra(ranged(key("llm.max_retries", T::kInt, "5", "retries on 429, 5xx and timeouts"), 0, 100)));
  s.add(infra(ranged(key("llm.max_concurrent", T::kInt, "8", "concurrent requests"), 1, 1024)));
  s.add(ranged(key("heuristic.gc_specific", T::kDouble, "0.5", "heuristic GC: share of contrast items"), 0, 1));
  s.add(key("heuristic.fallback_quirk", T::kBool, "false", "heuristic IM fallback returns one empty instruction"));
  s.add(key("render.service", T::kString, "sim", "service (model profile) the tasks go to"));
  s.add(choice(key("render.backend", T::kString, "sim", "workers' backend (torchscript-sd: remote GPU workers, identity learned from them)"), {"sim", "torchscript-sd"}));
  s.add(ranged(key("render.steps", T::kInt, "1", "denoising steps"), 0, 1000));
  s.add(ranged(key("render.guidance", T::kDouble, "0", "classifier-free guidance"), 0, 100));
  s.add(ranged(key("render.width", T::kInt, "512", "image width"), 8, 8192));
  s.add(ranged(key("render.height", T::kInt, "512", "image height"), 8, 8192));
  s.add(key("render.sampler", T::kString, "euler", "scheduler"));
  s.add(key("render.negative", T::kString, "", "negative prompt"));
  s.add(infra(ranged(key("render.items_per_task", T::kInt, "1", "render items per task"), 1, 4096)));
  s.add(infra(key("render.prefetch", T::kBool, "true",
                  "submit the next step's fixed renders before the iteration barrier")));
  s.add(infra(ranged(key("render.max_in_flight", T::kInt, "4096",
                         "most render tasks submitted and unanswered at once (0: no bound)"), 0, 1e9)));
  s.add(infra(ranged(key("render.max_prompt_chars", T::kInt, "8192",
                         "refuse prompts longer than this many characters (0: no limit)"), 0, 1e9)));
  s.add(ranged(key("sim.taste_seed", T::kInt, "0", "sim-v1 task (hidden preference model)"), 0, 9.2e18));
  s.add(key("sim.vocabulary", T::kString, "", "sim vocabulary file (empty: the project's list)"));
  s.add(infra(ranged(key("sim.cost_ms", T::kDouble, "60", "simulated GPU time per image"), 0, 1e6)));
  s.add(key("eval.enabled", T::kBool, "true", "held-out evaluation at the end"));
  s.add(ranged(key("eval.seeds", T::kInt, "8", "seeds per held-out query"), 1, 10000));
  s.add(ranged(key("eval.seed_base", T::kInt, "1000000", "first evaluation seed"), 0, 9.2e18));
  s.add(infra(key("redis", T::kString, "auto",
                  "auto (private redis-server) or redis://host:port (no password here: see redis_password_file)")));
  s.add(infra(key("redis_password_file", T::kString, "",
                  "file whose first line is the Redis AUTH password (else env BIGPE_REDIS_PASSWORD[_FILE])")));
  s.add(infra(key("broker_auth.server_key", T::kString, "",
                  "CURVE: the broker's public key file (bigpe keygen); empty = no CURVE")));
  s.add(infra(key("broker_auth.client_key", T::kString, "", "CURVE: this scheduler's secret key file")));
  s.add(infra(choice(key("redis_appendfsync", T::kString, "everysec", "private redis fsync policy"),
                     {"everysec", "always"})));
  s.add(infra(key("broker", T::kString, "embedded", "embedded or tcp://host:port")));
  s.add(infra(choice(key("workers", T::kString, "local", "local (in-process) or remote"), {"local", "remote"})));
  s.add(infra(ranged(key("local_workers", T::kInt, "2", "in-process workers"), 1, 256)));
  s.add(infra(ranged(key("worker_slots", T::kInt, "2", "tasks a local worker holds at once"), 1, 64)));
  s.add(infra(key("out", T::kString, "", "run folder (default runs/<experiment-id>)")));
  s.add(infra(key("write_images", T::kBool, "true", "local workers write PNGs to the run folder")));
  return s;
}

}  // namespace

const ConfigSchema& experiment_schema() {
  static const ConfigSchema schema = build_schema();
  return schema;
}

void refuse_secrets(const Config& c) {
  // The resolved config is stored in Redis and in run.json: a password in
  // the url would end up in both, readable by anyone who can read those.
  const std::string& url = c.get_string("redis");
  if (url.rfind("redis://", 0) == 0 && url.find('@') != std::string::npos)
    throw ConfigError("key 'redis': the url holds a password, which would be stored with the experiment; "
                      "give it in redis_password_file or the environment (BIGPE_REDIS_PASSWORD, "
                      "BIGPE_REDIS_PASSWORD_FILE) instead");
}

ExperimentSettings settings_from(const Config& c) {
  refuse_secrets(c);
  ExperimentSettings s;
  s.name = c.get_string("name");
  s.seed = c.get_int("seed");
  s.loop = c.get_string("loop");
  s.iterations = static_cast<int>(c.get_int("iterations"));
  s.batch_size = static_cast<int>(c.get_int("batch_size"));
  s.pool_size = static_cast<int>(c.get_int("pool_size"));
  s.initial_instruction = c.get_string("initial_instruction");
  s.selector.kind = c.get_string("selector.kind");
  s.selector.c = c.get_double("selector.c");
  s.selector.epsilon = c.get_double("selector.epsilon");
  s.budget.renders = static_cast<long>(c.get_int("budget.renders"));
  s.budget.round = static_cast<int>(c.get_int("budget.round"));
  s.budget.expand = static_cast<int>(c.get_int("budget.expand"));
  s.budget.gradients = static_cast<int>(c.get_int("budget.gradients"));
  s.budget.pairs = static_cast<int>(c.get_int("budget.pairs"));
  s.budget.pro_cells = static_cast<int>(c.get_int("budget.pro_cells"));
  s.budget.min_cells = static_cast<int>(c.get_int("budget.min_cells"));
  s.budget.chunk = static_cast<int>(c.get_int("budget.chunk"));
  s.budget.evidence = static_cast<int>(c.get_int("budget.evidence"));
  s.budget.pro_share = c.get_double("budget.pro_share");
  s.budget.pro_per_cell = static_cast<int>(c.get_int("budget.pro_per_cell"));
  s.budget.children = static_cast<int>(c.get_int("budget.children"));
  s.budget.min_gain = c.get_double("budget.min_gain");
  s.budget.ridge = c.get_double("budget.ridge");
  s.budget.order_adds = c.get_bool("budget.order_adds");
  s.images_per_prompt = static_cast<int>(c.get_int("images_per_prompt"));
  s.paired = c.get_bool("paired");
  s.cache_reuse = c.get_bool("cache.reuse");
  s.gc = c.get_string("gc");
  s.pro_source = c.get_string("professional.source");
  s.pro_path = c.get_string("professional.path");
  s.pro_count = static_cast<int>(c.get_int("professional.count"));
  s.pro_exemplars = static_cast<int>(c.get_int("professional.exemplars"));
  s.queries_path = c.get_string("queries.path");
  s.heldout_size = static_cast<int>(c.get_int("queries.heldout"));
  s.llm_backend = c.get_string("llm.backend");
  s.llm_model = c.get_string("llm.model");
  s.llm_base_url = c.get_string("llm.base_url");
  s.llm_api_key_env = c.get_string("llm.api_key_env");
  s.llm_temperature = c.get_double("llm.temperature");
  s.llm_max_tokens = static_cast<int>(c.get_int("llm.max_tokens"));
  s.llm_timeout_s = c.get_double("llm.timeout_s");
  s.llm_max_retries = static_cast<int>(c.get_int("llm.max_retries"));
  s.llm_max_concurrent = static_cast<int>(c.get_int("llm.max_concurrent"));
  s.gc_specific = c.get_double("heuristic.gc_specific");
  s.fallback_quirk = c.get_bool("heuristic.fallback_quirk");
  s.service = c.get_string("render.service");
  s.backend = c.get_string("render.backend");
  s.steps = static_cast<int>(c.get_int("render.steps"));
  s.guidance = c.get_double("render.guidance");
  s.width = static_cast<int>(c.get_int("render.width"));
  s.height = static_cast<int>(c.get_int("render.height"));
  s.sampler = c.get_string("render.sampler");
  s.negative = c.get_string("render.negative");
  s.items_per_task = static_cast<int>(c.get_int("render.items_per_task"));
  s.prefetch = c.get_bool("render.prefetch");
  s.max_in_flight = static_cast<std::size_t>(c.get_int("render.max_in_flight"));
  s.max_prompt_chars = static_cast<std::size_t>(c.get_int("render.max_prompt_chars"));
  s.taste_seed = c.get_int("sim.taste_seed");
  s.sim_vocabulary = c.get_string("sim.vocabulary");
  s.sim_cost_ms = c.get_double("sim.cost_ms");
  s.eval_enabled = c.get_bool("eval.enabled");
  s.eval_seeds = static_cast<int>(c.get_int("eval.seeds"));
  s.eval_seed_base = c.get_int("eval.seed_base");
  s.redis = c.get_string("redis");
  s.redis_appendfsync = c.get_string("redis_appendfsync");
  s.redis_password_file = c.get_string("redis_password_file");
  s.broker_server_key = c.get_string("broker_auth.server_key");
  s.broker_client_key = c.get_string("broker_auth.client_key");
  s.broker = c.get_string("broker");
  s.workers = c.get_string("workers");
  s.local_workers = static_cast<int>(c.get_int("local_workers"));
  s.worker_slots = static_cast<int>(c.get_int("worker_slots"));
  s.out = c.get_string("out");
  s.write_images = c.get_bool("write_images");
  return s;
}

}  // namespace bigpe::engine
