// `bigpe status [--follow] [--redis URL | RUN_DIR]` (docs/campaigns.md).
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "scheduler/report/status_view.h"

namespace bigpe::cli {

void register_status_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("status", "progress of campaigns and experiments, workers and rates");
  auto req = std::make_shared<engine::StatusRequest>();
  cmd->add_option("target", req->target, "run or campaign folder (or an id with --redis)");
  cmd->add_option("--redis", req->redis_url, "Redis URL (every campaign and experiment in it)");
  cmd->add_option("--broker", req->broker, "broker client endpoint for worker and queue counts");
  cmd->add_option("--curve-key", req->curve_key, "CURVE: this client's secret key file (bigpe keygen)");
  cmd->add_option("--broker-key", req->broker_key, "CURVE: the broker's public key file");
  cmd->add_flag("--follow,-f", req->follow, "redraw until nothing shown is running");
  cmd->add_option("--interval", req->interval_s, "seconds between frames with --follow")->capture_default_str();
  cmd->callback([req] { throw CommandExit{engine::run_status(*req, std::cout, ::isatty(STDOUT_FILENO) == 1)}; });
}

}  // namespace bigpe::cli
