// The aesthetic scorer: the LAION aesthetic predictor family, a linear head
// (one nn.Linear, or the improved predictor's activation-free MLP) on the
// L2-normalized CLIP ViT-L/14 image embedding, OpenAI CLIP's preprocessing
// (docs/models.md "Scoring"). The score is what the head outputs, roughly
// 1 to 10; the text is ignored.
#include "models/torch/torch_scorers.h"

#include <stdexcept>

#include "models/torch/clip_towers.h"
#include "models/torch/torch_support.h"

namespace bigpe::models {
namespace {

class AestheticScorer final : public Scorer {
 public:
  AestheticScorer(const ModelManifest& m, const torch::Device& device)
      : head_file_(m.head),
        embed_dim_(m.embed_dim),
        device_(device),
        image_(m, device),
        head_dtype_(module_dtype(m.head, m, device)),
        head_(load_module(m.head, device, head_dtype_)) {
    c10::InferenceMode inference;
    head(torch::zeros({1, embed_dim_}, torch::TensorOptions().device(device_)));
  }

  std::string name() const override { return "aesthetic"; }

  // The code version (bump it with any change to preprocessing or scoring
  // that alters scores), the device kind and the modules' dtypes.
  std::string identity() const override {
    return "aesthetic-v1;" + run_identity(device_, {{"image", image_.dtype()}, {"head", head_dtype_}});
  }

  // `texts` only has to match `images` in number (the Scorer contract).
  std::vector<double> score(const std::vector<Image>& images, const std::vector<std::string>& texts,
                            const schemas::RenderParams&) override {
    if (images.size() != texts.size())
      throw std::invalid_argument("aesthetic: " + std::to_string(images.size()) + " images but " +
                                  std::to_string(texts.size()) + " texts");
    if (images.empty()) return {};
    c10::InferenceMode inference;
    torch::Tensor s = head(image_.features(images)).cpu().to(torch::kFloat64);
    return std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
  }

 private:
  // [n] from normalized features [n, embed_dim].
  torch::Tensor head(const torch::Tensor& features) {
    const int64_t n = features.size(0);
    return expect_tensor(call_module(head_, {features.to(head_dtype_)}, head_file_.path), {n, 1}, head_file_.path,
                         "aesthetic score")
        .to(torch::kFloat32)
        .view({n});
  }

  ModuleFile head_file_;
  int64_t embed_dim_;
  torch::Device device_;
  ClipImageTower image_;
  torch::ScalarType head_dtype_;
  torch::jit::Module head_;
};

}  // namespace

std::unique_ptr<Scorer> make_aesthetic_scorer(const ModelManifest& manifest, const torch::Device& device) {
  return std::make_unique<AestheticScorer>(manifest, device);
}

}  // namespace bigpe::models
