#include "worker/backend_factory.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

#include "backends/sim/sim_vocabulary.h"
#include "models/core/model_manifest.h"
#include "models/core/scorer_folders.h"
#include "common/text_util.h"
#include "models/model_backends.h"
#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_judge_scorer.h"
#include "backends/sim/sim_scorer.h"
#include "worker/model_fingerprint.h"

namespace bigpe {
namespace {

void check_backend(const BackendSettings& s) {
  if (s.backend != "sim" && s.backend != "torchscript-sd")
    throw std::invalid_argument("unknown backend '" + s.backend + "' (this build has: sim, torchscript-sd)");
}

// A torchscript-sd worker given only one scorer folder runs the scorer of
// its family, so `score.model` may name any scorer's folder. A folder that
// cannot be read is left to the scorer, whose error names the file.
std::string one_folder_scorer(const std::string& dir) {
  try {
    models::ModelManifest m = models::load_manifest(dir);
    if (models::is_scorer(m.family)) return models::family_name(m.family);
  } catch (const std::exception&) {
  }
  return "hpsv2";
}

bool is_torch_scorer(const std::string& name) {
  for (const std::string& n : models::torch_scorer_names())
    if (n == name) return true;
  return false;
}

std::string known_scorers() {
  std::string out = "sim, sim-judge";
  for (const std::string& n : models::torch_scorer_names()) out += ", " + n;
  return out;
}

// A libtorch backend whose identity also names its model folder's files
// (model_fingerprint.h): what is on disk is known here, where hashing is
// (models/ has no SHA-256 of its own), and not to the backend itself.
class FingerprintedRenderer final : public Renderer {
 public:
  FingerprintedRenderer(std::unique_ptr<Renderer> inner, std::string fingerprint)
      : inner_(std::move(inner)), fingerprint_(std::move(fingerprint)) {}
  std::vector<Image> render(const std::vector<RenderRequest>& batch, const schemas::RenderParams& params) override {
    return inner_->render(batch, params);
  }
  std::string name() const override { return inner_->name(); }
  std::string identity() const override { return inner_->identity() + ";model=" + fingerprint_; }
  std::vector<std::string> option_names() const override { return inner_->option_names(); }
  schemas::RenderLimits limits() const override { return inner_->limits(); }

 private:
  std::unique_ptr<Renderer> inner_;
  std::string fingerprint_;
};

class FingerprintedScorer final : public Scorer {
 public:
  FingerprintedScorer(std::unique_ptr<Scorer> inner, std::string fingerprint)
      : inner_(std::move(inner)), fingerprint_(std::move(fingerprint)) {}
  std::vector<double> score(const std::vector<Image>& images, const std::vector<std::string>& texts,
                            const schemas::RenderParams& params) override {
    return inner_->score(images, texts, params);
  }
  std::string name() const override { return inner_->name(); }
  std::string identity() const override { return inner_->identity() + ";model=" + fingerprint_; }
  std::vector<std::string> option_names() const override { return inner_->option_names(); }

 private:
  std::unique_ptr<Scorer> inner_;
  std::string fingerprint_;
};

// Local workers in one process share one copy of each vocabulary.
std::shared_ptr<const sim::Vocabulary> shared_vocabulary(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const sim::Vocabulary>> loaded;
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded.find(path);
  if (it != loaded.end()) return it->second;
  auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(path));
  loaded.emplace(path, vocab);
  return vocab;
}

// `scorer` is a known name (scorer_names() checks it).
std::unique_ptr<Scorer> build_scorer(const std::string& scorer, const std::string& folder,
                                     const BackendSettings& settings) {
  if (is_torch_scorer(scorer)) {
    if (folder.empty())
      throw std::invalid_argument("scorer " + scorer + " needs a model folder (--scorer-model DIR; docs/models.md)");
    auto made = models::make_torch_scorer(scorer, folder, settings.device);
    return std::make_unique<FingerprintedScorer>(std::move(made), model_folder_fingerprint(folder));
  }
  std::string path =
      settings.sim_vocabulary.empty() ? sim::default_vocabulary_path() : settings.sim_vocabulary;
  if (scorer == "sim-judge") return std::make_unique<SimJudgeScorer>(shared_vocabulary(path));
  return std::make_unique<SimScorer>(shared_vocabulary(path));
}

std::vector<std::string> folders_of(const std::vector<std::string>& names, const BackendSettings& settings) {
  const std::vector<std::string>& dirs = settings.scorer_model_dirs;
  std::vector<std::string> folders(names.size());
  // The sim backend's own scorer reads no folder.
  if (settings.scorer.empty() && settings.backend != "torchscript-sd") return folders;
  if (dirs.size() == 1 && std::any_of(names.begin(), names.end(), is_torch_scorer)) {
    // One folder: every libtorch scorer named loads it and checks its
    // family itself (the error names the manifest), as before a worker
    // could have several.
    for (std::size_t i = 0; i < names.size(); ++i)
      if (is_torch_scorer(names[i])) folders[i] = dirs.front();
    return folders;
  }
  return models::scorer_folders(names, dirs);
}

}  // namespace

std::unique_ptr<Renderer> make_renderer(const BackendSettings& settings) {
  check_backend(settings);
  if (settings.backend == "torchscript-sd") {
    if (settings.model_dir.empty())
      throw std::invalid_argument("backend torchscript-sd needs a model folder (--model DIR; docs/models.md)");
    auto renderer = models::make_torchscript_sd_renderer(settings.model_dir, settings.device);
    return std::make_unique<FingerprintedRenderer>(std::move(renderer), model_folder_fingerprint(settings.model_dir));
  }
  if (settings.sim_cost_ms < 0)
    throw std::invalid_argument("sim cost must not be negative, got " +
                                std::to_string(settings.sim_cost_ms) + " ms");
  SimRendererOptions o;
  o.cost_ms = settings.sim_cost_ms;
  o.size = settings.sim_size;
  o.hang_file = settings.sim_hang_file;
  return std::make_unique<SimRenderer>(o);
}

std::unique_ptr<Scorer> make_scorer(const BackendSettings& settings) {
  std::vector<std::unique_ptr<Scorer>> scorers = make_scorers(settings);
  if (scorers.size() != 1)
    throw std::invalid_argument("scorer list '" + settings.scorer + "' names " + std::to_string(scorers.size()) +
                                " scorers; make_scorer makes one (make_scorers makes them all)");
  return std::move(scorers.front());
}

std::vector<std::string> scorer_names(const BackendSettings& settings) {
  check_backend(settings);
  const std::vector<std::string>& dirs = settings.scorer_model_dirs;
  if (settings.scorer.empty()) {
    if (settings.backend != "torchscript-sd") return {"sim"};
    if (dirs.size() > 1) return models::scorers_of_folders(dirs);
    return {dirs.empty() ? "hpsv2" : one_folder_scorer(dirs.front())};
  }
  const std::string& list = settings.scorer;
  std::vector<std::string> names;
  for (std::string& name : split_commas(list)) {
    if (name.empty()) throw std::invalid_argument("scorer list '" + list + "': an empty name");
    for (const std::string& n : names)
      if (n == name) throw std::invalid_argument("scorer list '" + list + "': '" + name + "' is listed twice");
    // Before any folder is matched to it: a typo is named as one.
    if (name != "sim" && name != "sim-judge" && !is_torch_scorer(name))
      throw std::invalid_argument("unknown scorer '" + name + "' (this build has: " + known_scorers() + ")");
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<std::string> scorer_model_folders(const BackendSettings& settings) {
  return folders_of(scorer_names(settings), settings);
}

std::vector<std::unique_ptr<Scorer>> make_scorers(const BackendSettings& settings) {
  const std::vector<std::string> names = scorer_names(settings);
  const std::vector<std::string> folders = folders_of(names, settings);
  std::vector<std::unique_ptr<Scorer>> scorers;
  for (std::size_t i = 0; i < names.size(); ++i) scorers.push_back(build_scorer(names[i], folders[i], settings));
  return scorers;
}

}  // namespace bigpe
