// `bigpe render --model DIR PROMPT --seed S --out FILE` and
// `bigpe score --model DIR IMAGE TEXT`: one render or one score with the
// libtorch backends, outside any experiment (checking an export, making a
// figure). Defaults follow the model family: SDXL-Turbo 1 step without
// guidance, the others 30 Euler steps at guidance 7.5.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "models/core/model_manifest.h"
#include "models/model_backends.h"
#include "cli/commands.h"
#include "backends/png_reader.h"
#include "backends/png_writer.h"

namespace bigpe::cli {
namespace {

struct RenderArgs {
  std::string model;
  std::string prompt;
  int64_t seed = 0;
  std::string out;
  int steps = 0;        // 0 = the family's default
  double guidance = -1;  // < 0 = the family's default
  int width = 0, height = 0;
  std::string sampler = "euler";
  std::string negative;
  std::string device = "auto";
};

void run_render(const RenderArgs& a) {
  models::ModelManifest m = models::load_manifest(a.model);
  const bool turbo = m.family == models::ModelFamily::kSdxlTurbo;
  schemas::RenderParams p;
  p.steps = a.steps > 0 ? a.steps : turbo ? 1 : 30;
  p.guidance = a.guidance >= 0 ? a.guidance : turbo ? 0.0 : 7.5;
  p.width = a.width > 0 ? a.width : m.default_size;
  p.height = a.height > 0 ? a.height : m.default_size;
  p.sampler = a.sampler;
  p.negative = a.negative;
  auto renderer = models::make_torchscript_sd_renderer(a.model, a.device);
  auto start = std::chrono::steady_clock::now();
  std::vector<Image> images = renderer->render({{a.prompt, a.seed}}, p);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  write_png_file(images.at(0), a.out);
  std::printf("%s %dx%d steps=%d guidance=%g sampler=%s seed=%lld %.0f ms\n", a.out.c_str(), p.width, p.height,
              p.steps, p.guidance, p.sampler.c_str(), static_cast<long long>(a.seed), ms);
}

}  // namespace

void register_render_command(CLI::App& app) {
  auto a = std::make_shared<RenderArgs>();
  CLI::App* cmd = app.add_subcommand("render", "Render one image with a torchscript-sd model folder");
  cmd->add_option("--model", a->model, "Model folder (docs/models.md)")->required();
  cmd->add_option("prompt", a->prompt, "Prompt")->required();
  cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
  cmd->add_option("--out", a->out, "PNG file to write")->required();
  cmd->add_option("--steps", a->steps, "Sampler steps (default: 1 for sdxl-turbo, else 30)");
  cmd->add_option("--guidance", a->guidance, "Guidance scale (default: 0 for sdxl-turbo, else 7.5)");
  cmd->add_option("--width", a->width, "Width in pixels (default: the model's size)");
  cmd->add_option("--height", a->height, "Height in pixels (default: the model's size)");
  cmd->add_option("--sampler", a->sampler, "euler, euler_a or ddim")->capture_default_str();
  cmd->add_option("--negative", a->negative, "Negative prompt");
  cmd->add_option("--device", a->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cmd->callback([a] { run_render(*a); });
}

void register_score_command(CLI::App& app) {
  struct Args {
    std::string model, image, text, device = "auto";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Score of a PNG image against a text by the folder's scorer (hpsv2, pickscore or aesthetic)");
  cmd->add_option("--model", a->model, "scorer model folder: hpsv2, pickscore or aesthetic (docs/models.md)")
      ->required();
  cmd->add_option("image", a->image, "PNG image")->required();
  cmd->add_option("text", a->text, "Text to score against (aesthetic ignores it)")->required();
  cmd->add_option("--device", a->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cmd->callback([a] {
    models::ModelManifest manifest = models::load_manifest(a->model);
    if (!models::is_scorer(manifest.family))
      throw std::runtime_error(manifest.path + ": family '" + models::family_name(manifest.family) +
                               "' is not a scorer's (hpsv2, pickscore, aesthetic)");
    auto scorer = models::make_torch_scorer(models::family_name(manifest.family), a->model, a->device);
    Image img = read_png_file(a->image);
    std::printf("%.4f\n", scorer->score({img}, {a->text}, schemas::RenderParams{}).at(0));
  });
}

}  // namespace bigpe::cli
