#pragma once
// SimRenderer: the renderer of the sim-v1 benchmark. It draws a small,
// deterministic RGB image from (prompt, seed) -- colour bands and a pattern
// derived from sha256(prompt|seed) -- so that artifacts, PNG writing and
// caching are exercised for real, and it waits a configurable cost per image
// that stands in for GPU time. The image keeps its prompt and seed; the sim
// scorer reads them rather than the pixels.
//
// Fault injection, for fault-tolerance tests, through params.options:
//   "sim.fault" = "abort"  -> std::abort() (a worker crashing mid-batch)
//   "sim.fault" = "throw"  -> throws std::runtime_error("sim.fault=throw")
// Any other value of "sim.fault" is an error (std::runtime_error naming it).
// And through the options: a batch that starts while `hang_file` exists
// does not return until the file is removed (a GPU kernel or driver that
// hangs, while the worker's heartbeat thread lives on).
//
// Thread-safety: render() is const in effect and safe to call concurrently.
#include <string>
#include <vector>

#include "backends/renderer.h"

namespace bigpe {

struct SimRendererOptions {
  double cost_ms = 0;  // wall time spent per image (per batch: cost_ms * items)
  int size = 64;       // images are size x size pixels
  std::string hang_file;  // empty: never hang
};

class SimRenderer : public Renderer {
 public:
  // Throws std::invalid_argument when size < 1 or cost_ms < 0.
  explicit SimRenderer(SimRendererOptions options = {});

  // One image per request; depends only on (prompt, seed). Ignores
  // width/height in params (the sim image size is fixed by the options).
  std::vector<Image> render(const std::vector<RenderRequest>& batch,
                            const schemas::RenderParams& params) override;

  std::string name() const override { return "sim"; }
  std::vector<std::string> option_names() const override { return {"sim.fault"}; }
  // "sim-image-v1;size=<size>": the picture draw() makes. Bump the version
  // when draw() changes its pixels.
  std::string identity() const override;

  // The image for one request, without the cost wait or fault injection.
  Image draw(const std::string& prompt, int64_t seed) const;

 private:
  SimRendererOptions options_;
};

}  // namespace bigpe
