#pragma once
// Builds the renderer and scorer a worker uses from their names in the
// configuration (docs/design.md section 5): the sim backends, and the libtorch
// ones (models/model_backends.h): renderer "torchscript-sd", scorers
// "hpsv2", "pickscore" and "aesthetic". Asking for another name is an error
// that lists the known ones.
//
// Thread-safety: both functions are safe to call concurrently. Vocabularies
// are loaded once per path and shared (read-only) by every scorer made.
#include <memory>
#include <string>

#include "backends/renderer.h"
#include "backends/scorer.h"

namespace bigpe {

struct BackendSettings {
  std::string backend = "sim";
  double sim_cost_ms = 0;      // sim renderer: wall time per image
  int sim_size = 64;           // sim renderer: images are size x size pixels
  std::string sim_vocabulary;  // empty = sim::default_vocabulary_path()
  std::string sim_hang_file;   // sim renderer: batches hang while it exists (fault tests)
  // torchscript-sd and the libtorch scorers (docs/models.md). The scorer
  // defaults to the backend's own: sim for sim; for torchscript-sd the
  // family of scorer_model_dir's manifest (hpsv2, pickscore, aesthetic),
  // hpsv2 when it names none.
  std::string scorer;            // "", "sim", "hpsv2", "pickscore" or "aesthetic"
  std::string model_dir;         // torchscript-sd model folder
  std::string scorer_model_dir;  // the libtorch scorer's model folder
  std::string device = "auto";   // auto, cpu, cuda, cuda:N
};

// Throw std::invalid_argument naming the backend (or the bad setting), and
// std::runtime_error naming the file when the vocabulary cannot be read.
std::unique_ptr<Renderer> make_renderer(const BackendSettings& settings);
std::unique_ptr<Scorer> make_scorer(const BackendSettings& settings);

}  // namespace bigpe
