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
#include <vector>

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
  // families of scorer_model_dirs' manifests (hpsv2, pickscore, aesthetic)
  // in their order, hpsv2 when one folder names none. Several names joined
  // by commas ("sim,sim-judge"): make_scorers() makes one of each;
  // make_scorer() takes one name.
  std::string scorer;
  std::string model_dir;  // torchscript-sd model folder
  // The libtorch scorers' model folders, each loaded by the scorer of its
  // manifest's family (models/core/scorer_folders.h has the rules). One
  // folder is loaded by every libtorch scorer named, which checks its
  // family, as before a worker could have several.
  std::vector<std::string> scorer_model_dirs;
  std::string device = "auto";   // auto, cpu, cuda, cuda:N
};

// Throw std::invalid_argument naming the backend (or the bad setting), and
// std::runtime_error naming the file when the vocabulary cannot be read.
std::unique_ptr<Renderer> make_renderer(const BackendSettings& settings);
std::unique_ptr<Scorer> make_scorer(const BackendSettings& settings);
// Every scorer of the comma-separated list in settings.scorer, in order
// (the backend's own when empty), each libtorch one with its own folder
// (scorer_model_folders). Throws std::invalid_argument for an empty or
// repeated name in the list, or as make_scorer does, or as
// scorer_model_folders does, before any scorer loads.
std::vector<std::unique_ptr<Scorer>> make_scorers(const BackendSettings& settings);
// The names of that list, checked as make_scorers checks them.
std::vector<std::string> scorer_names(const BackendSettings& settings);
// The model folder each scorer of scorer_names() loads ("" for a sim
// scorer), from the manifests alone: a cheap check of the folders given
// (their families, models::scorer_folders) before anything loads.
std::vector<std::string> scorer_model_folders(const BackendSettings& settings);

}  // namespace bigpe
