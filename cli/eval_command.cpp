// `bigpe eval [RUN_DIR | EXPERIMENT_ID]... [--instruction TEXT]... [key=value ...]`
// (docs/campaigns.md).
#include <iostream>

#include "cli/commands.h"
#include "scheduler/run/eval_study.h"

namespace bigpe::cli {

void register_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "eval", "compare plain query, I0, professional prompt and optimized instructions on fixed queries and seeds");
  auto req = std::make_shared<engine::EvalRequest>();
  auto positional = std::make_shared<std::vector<std::string>>();
  cmd->add_option("sources", *positional,
                  "run folders (or experiment ids with --redis) whose final instructions to evaluate, and "
                  "key=value overrides of the task config");
  cmd->add_option("--instruction", req->instructions, "an instruction to evaluate (repeatable)");
  cmd->add_option("--config", req->config_path, "experiment config defining the task (when no run folder is given)");
  cmd->add_option("--redis", req->redis_url, "Redis URL holding the experiments (for experiment ids)");
  cmd->add_option("--queries", req->queries_path, "query file, one per line (default: the held-out queries)");
  cmd->add_option("--seeds", req->seeds, "seeds per query, shared by all methods (default: eval.seeds)");
  cmd->add_option("--out", req->out_dir, "folder for methods.csv, pairs.csv, cells.csv");
  cmd->callback([req, positional] {
    for (const std::string& p : *positional) (p.find('=') != std::string::npos ? req->overrides : req->sources).push_back(p);
    throw CommandExit{engine::run_eval(*req, std::cout)};
  });
}

}  // namespace bigpe::cli
