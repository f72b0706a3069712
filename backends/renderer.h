#pragma once
// Renderer: turns prompts into images.
//
// Implementations: "sim" (sim_renderer.h, a deterministic stand-in with a
// configurable cost) and "torchscript-sd" (Stable Diffusion on libtorch).
// A renderer is used by one worker thread at a time; it need not be
// thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "schemas/render_limits.h"
#include "schemas/render_task.h"
#include "backends/image.h"

namespace bigpe {

struct RenderRequest {
  std::string prompt;
  int64_t seed = 0;
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  Renderer() = default;
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Renders one image per request, in order, as one batch. An image depends
  // only on (prompt, seed, params). Throws std::runtime_error with a reason
  // on failure (the worker reports it as a failed attempt).
  virtual std::vector<Image> render(const std::vector<RenderRequest>& batch,
                                    const schemas::RenderParams& params) = 0;

  // Short name for logs and reports ("sim", "torchscript-sd").
  virtual std::string name() const = 0;

  // The params.options this renderer reads. A worker refuses, for good, a
  // task naming an option that neither its renderer nor its scorer reads
  // (outside "cache.", which only separates cache keys): an option that is
  // silently ignored would store results under a key that claims it.
  virtual std::vector<std::string> option_names() const { return {}; }
  // What, besides the task, decides this renderer's images: the code
  // version of its pipeline, its model and precision. Two renderers with
  // the same identity give the same image for the same (prompt, seed,
  // params). Part of the worker's backend identity (backend_identity.h),
  // which is part of every result's cache key.
  virtual std::string identity() const = 0;
  // The params it accepts (schemas/render_limits.h), advertised in READY so
  // that a client can check its params before it submits; empty: any. A
  // renderer that advertises limits refuses a task outside them with the
  // same words (render_param_problems).
  virtual schemas::RenderLimits limits() const { return {}; }
};

}  // namespace bigpe
