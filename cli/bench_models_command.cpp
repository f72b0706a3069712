// `bigpe bench models`: images per second of torchscript-sd (and hpsv2) by
// batch size (bench/models/models_bench.h).
#include <iostream>

#include "bench/models/models_bench.h"
#include "cli/commands.h"

namespace bigpe::cli {

void register_bench_models(CLI::App& bench) {
  auto o = std::make_shared<models::ModelsBenchOptions>();
  CLI::App* cmd = bench.add_subcommand("models", "Images per second of torchscript-sd (and hpsv2) by batch size");
  cmd->add_option("--model", o->model, "torchscript-sd model folder")->required();
  cmd->add_option("--scorer-model", o->scorer_model, "hpsv2 model folder (optional)");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--batch", o->batches, "Batch sizes")->capture_default_str();
  cmd->add_option("--steps", o->steps, "Sampler steps")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--sampler", o->sampler, "euler, euler_a or ddim")->capture_default_str();
  cmd->add_option("--guidance", o->guidance, "Guidance (0 for sdxl-turbo)")->capture_default_str();
  cmd->add_option("--size", o->size, "Image size (default: the model's)");
  cmd->add_option("--seconds", o->seconds, "Seconds per batch size")->check(CLI::Range(0.0, 3600.0))->capture_default_str();
  cmd->add_option("--python", o->python,
                  "Python with torch for the baseline on the same modules (\"\" = none)")
      ->capture_default_str();
  cmd->callback([o] { models::run_models_bench(*o, std::cout); });
}

}  // namespace bigpe::cli
