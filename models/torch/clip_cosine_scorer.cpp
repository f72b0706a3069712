// The CLIP cosine scorers: factor x cosine(normalized image features,
// normalized text features) from an image and a text tower exported to
// TorchScript (docs/models.md "Scoring"):
//   hpsv2      HPS v2 (open_clip ViT-H-14), factor 100, open_clip's
//              ResizeMaxSize preprocessing (docs/model-reference.md 1.2)
//   pickscore  PickScore v1 (CLIP ViT-H-14), factor exp(logit_scale) from
//              the manifest, Hugging Face CLIPProcessor preprocessing
#include "models/torch/torch_scorers.h"

#include <cmath>
#include <stdexcept>

#include "models/torch/clip_towers.h"
#include "models/torch/torch_support.h"

namespace bigpe::models {
namespace {

class ClipCosineScorer final : public Scorer {
 public:
  ClipCosineScorer(const ModelManifest& m, const torch::Device& device)
      : name_(family_name(m.family)),
        factor_(m.family == ModelFamily::kPickscore ? std::exp(m.logit_scale) : 100.0),
        device_(device),
        image_(m, device),
        text_(m, device) {}

  std::string name() const override { return name_; }

  // The code version (bump it with any change to preprocessing or scoring
  // that alters scores), the device kind and the towers' dtypes.
  std::string identity() const override {
    return name_ + "-v1;" + run_identity(device_, {{"image", image_.dtype()}, {"text", text_.dtype()}});
  }

  std::vector<double> score(const std::vector<Image>& images, const std::vector<std::string>& texts,
                            const schemas::RenderParams&) override {
    if (images.size() != texts.size())
      throw std::invalid_argument(name_ + ": " + std::to_string(images.size()) + " images but " +
                                  std::to_string(texts.size()) + " texts");
    if (images.empty()) return {};
    c10::InferenceMode inference;
    torch::Tensor f_img = image_.features(images);
    torch::Tensor f_txt = text_.features(texts);
    torch::Tensor s = (f_img * f_txt).sum(-1).mul(factor_).cpu().to(torch::kFloat64);
    return std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
  }

 private:
  std::string name_;
  double factor_;
  torch::Device device_;
  ClipImageTower image_;
  ClipTextTower text_;
};

}  // namespace

std::unique_ptr<Scorer> make_clip_cosine_scorer(const ModelManifest& manifest, const torch::Device& device) {
  return std::make_unique<ClipCosineScorer>(manifest, device);
}

}  // namespace bigpe::models
