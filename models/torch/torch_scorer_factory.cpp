// torch_make_scorer: the scorer of a name runs the model folder of the
// family of that name (models/model_backends.h make_torch_scorer).
#include <stdexcept>

#include "models/torch/torch_entry_points.h"
#include "models/torch/torch_scorers.h"
#include "models/torch/torch_support.h"

namespace bigpe::models {

std::unique_ptr<Scorer> torch_make_scorer(const std::string& scorer, const std::string& model_dir,
                                          const std::string& device) {
  ModelManifest manifest = load_manifest(model_dir);
  if (!is_scorer(manifest.family) || family_name(manifest.family) != scorer)
    throw std::runtime_error(manifest.path + ": family '" + family_name(manifest.family) + "': the " + scorer +
                             " scorer needs a model folder of family " + scorer);
  const torch::Device d = parse_device(device);
  if (manifest.family == ModelFamily::kAesthetic) return make_aesthetic_scorer(manifest, d);
  return make_clip_cosine_scorer(manifest, d);
}

}  // namespace bigpe::models
