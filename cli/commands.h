#pragma once
// Each subcommand of the `bigpe` executable registers itself on the app.
// A command's callback returns through CommandExit to set the exit status.
#include <CLI/CLI.hpp>

namespace bigpe::cli {

struct CommandExit {
  int code;
};

void register_broker_command(CLI::App& app);
void register_worker_command(CLI::App& app);
void register_bench_command(CLI::App& app);
void register_run_command(CLI::App& app);  // run and resume
void register_keygen_command(CLI::App& app);
void register_campaign_command(CLI::App& app);
void register_eval_command(CLI::App& app);
void register_export_command(CLI::App& app);
void register_status_command(CLI::App& app);
void register_serve_command(CLI::App& app);  // the live web view
void register_config_command(CLI::App& app);  // config keys, config show
void register_ls_command(CLI::App& app);
void register_diff_command(CLI::App& app);
// Adds `scheduler` under the `bench` subcommand.
void register_bench_scheduler(CLI::App& bench);
// Adds `optimizer` under the `bench` subcommand (bench/optimizer/optimizer_bench.h).
void register_bench_optimizer(CLI::App& bench);
// Adds `fabric` under the `bench` subcommand (bench/fabric/fabric_bench.h).
void register_bench_fabric(CLI::App& bench);
// Adds `models` under the `bench` subcommand (bench_models_command.cpp).
void register_bench_models(CLI::App& bench);
// tokenize, render, score: the model backends outside experiments.
void register_tokenize_command(CLI::App& app);
void register_render_command(CLI::App& app);
void register_score_command(CLI::App& app);
// Adds `scale` under the `bench` subcommand (bench/scale/scale_bench.h).
void register_bench_scale(CLI::App& bench);

}  // namespace bigpe::cli
