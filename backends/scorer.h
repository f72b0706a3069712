#pragma once
// Scorer: a preference score for (image, text) pairs, HPS v2 x 100 style.
//
// Implementations: "sim" (sim-v1, sim_scorer.h) and "hpsv2" (libtorch).
// Used by one worker thread at a time; need not be thread-safe.
#include <string>
#include <vector>

#include "schemas/render_task.h"
#include "backends/image.h"

namespace bigpe {

class Scorer {
 public:
  virtual ~Scorer() = default;
  Scorer() = default;
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  // REQUIRES: images.size() == texts.size(). Returns one score per pair, in
  // order. params.options carries backend options (e.g. "sim.taste_seed").
  // Throws std::runtime_error with a reason on failure.
  virtual std::vector<double> score(const std::vector<Image>& images,
                                    const std::vector<std::string>& texts,
                                    const schemas::RenderParams& params) = 0;

  virtual std::string name() const = 0;

  // The params.options this scorer reads (see Renderer::option_names()).
  virtual std::vector<std::string> option_names() const { return {}; }
  // What, besides the task, decides this scorer's scores: code version,
  // model, precision (for sim: the vocabulary). Two scorers with the same
  // identity give the same score for the same (image, text, params).
  virtual std::string identity() const = 0;
  // Whether score() looks at Image::rgb. One that does not (sim-v1 scores
  // the prompt text) can score a stored image from its record's prompt and
  // seed alone; one that does needs the pixels (the stored PNG) or a new
  // render (worker/task_executor.cpp, schemas/README.md section 7.3).
  virtual bool reads_pixels() const { return true; }
};

}  // namespace bigpe
