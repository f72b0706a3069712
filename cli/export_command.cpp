// `bigpe export EXPERIMENT|CAMPAIGN --out DIR [--redis URL] [--no-images] [--force]` (docs/campaigns.md).
#include <iostream>

#include "cli/commands.h"
#include "scheduler/report/exporter.h"

namespace bigpe::cli {

void register_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "write an experiment's or campaign's records as JSONL, with images");
  auto req = std::make_shared<engine::ExportRequest>();
  auto no_images = std::make_shared<bool>(false);
  cmd->add_option("target", req->target, "run folder, campaign folder, or an experiment/campaign id with --redis")
      ->required();
  cmd->add_option("--out", req->out_dir, "output folder")->required();
  cmd->add_option("--redis", req->redis_url, "Redis URL (to export by id)");
  cmd->add_flag("--no-images", *no_images, "do not copy the evaluation images");
  cmd->add_flag("--force", req->force, "overwrite the export in a non-empty --out folder");
  cmd->callback([req, no_images] {
    req->images = !*no_images;
    throw CommandExit{engine::run_export(*req, std::cout)};
  });
}

}  // namespace bigpe::cli
