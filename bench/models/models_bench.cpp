#include "bench/models/models_bench.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include "models/core/model_manifest.h"
#include "bench/models/python_baseline.h"
#include "models/model_backends.h"

namespace bigpe::models {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void run_models_bench(const ModelsBenchOptions& a, std::ostream& out) {
  ModelManifest m = load_manifest(a.model);
  schemas::RenderParams p;
  p.steps = a.steps;
  p.guidance = m.family == ModelFamily::kSdxlTurbo ? 0.0 : a.guidance;
  p.sampler = a.sampler;
  p.width = p.height = a.size > 0 ? a.size : m.default_size;
  auto renderer = make_torchscript_sd_renderer(a.model, a.device);
  std::unique_ptr<Scorer> scorer;
  std::optional<ModelManifest> hps;
  if (!a.scorer_model.empty()) {
    scorer = make_hpsv2_scorer(a.scorer_model, a.device);
    hps = load_manifest(a.scorer_model);
  }
  // The device the backends resolved "auto" to, for the Python side.
  const std::string device = renderer->identity().find("device=cuda") != std::string::npos
                                 ? (a.device.rfind("cuda", 0) == 0 ? a.device : std::string("cuda"))
                                 : std::string("cpu");
  double last_ratio = 0;
  char line[512];
  std::snprintf(line, sizeof line, "%s; %s (%s) %dx%d, %d %s steps, guidance %g, device %s\n",
                torch_build_summary().c_str(), a.model.c_str(), family_name(m.family), p.width, p.height, p.steps,
                p.sampler.c_str(), p.guidance, a.device.c_str());
  out << line;
  for (int b : a.batches) {
    std::vector<RenderRequest> batch;
    for (int i = 0; i < b; ++i) batch.push_back({"a photo of a cat number " + std::to_string(i), i});
    std::vector<std::string> texts(static_cast<size_t>(b), "a photo of a cat");
    std::vector<Image> images = renderer->render(batch, p);  // warm-up
    if (scorer) scorer->score(images, texts, p);
    int rounds = 0;
    double start = now_s(), render_s = 0, score_s = 0;
    while (rounds == 0 || now_s() - start < a.seconds) {
      double t0 = now_s();
      images = renderer->render(batch, p);
      double t1 = now_s();
      if (scorer) scorer->score(images, texts, p);
      render_s += t1 - t0;
      score_s += now_s() - t1;
      ++rounds;
    }
    double n = static_cast<double>(rounds) * b;
    std::snprintf(line, sizeof line, "batch %2d: render %9.1f images/s", b, n / render_s);
    out << line;
    if (scorer) {
      std::snprintf(line, sizeof line, ", score %9.1f images/s", n / score_s);
      out << line;
    }
    out << "  (" << rounds << " rounds)\n";
    out.flush();
    if (a.python.empty()) continue;
    PythonBaselineRequest req{a.python,        device,   &m, hps ? &*hps : nullptr, p, {}, {}, texts.front(),
                              a.seconds,       renderer->identity(), scorer ? scorer->identity() : ""};
    for (const RenderRequest& r : batch) {
      req.prompts.push_back(r.prompt);
      req.seeds.push_back(r.seed);
    }
    PythonBaselineResult py = run_python_baseline(req);
    if (!py.ran) {
      out << "batch " << b << ": no Python baseline (" << a.python << "): " << py.why << "\n";
      last_ratio = 0;
      continue;
    }
    const double cpp = n / (render_s + score_s);
    last_ratio = cpp / py.images_per_s;
    std::snprintf(line, sizeof line, "batch %2d: render%s C++ %9.2f images/s, Python %9.2f images/s, ratio %.3f\n", b,
                  scorer ? "+score" : "", cpp, py.images_per_s, last_ratio);
    out << line;
    out.flush();
  }
  if (last_ratio > 0) {
    std::snprintf(line, sizeof line, "ratio=%.3f\n", last_ratio);
    out << line;
  }
}

}  // namespace bigpe::models
