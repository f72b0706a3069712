#pragma once
// The two halves of a CLIP scorer, shared by hpsv2, pickscore and
// aesthetic: an image tower (preprocessing + TorchScript module) and a text
// tower (CLIP BPE tokenizer + TorchScript module), each giving
// L2-normalized float32 features [n, embed_dim]. Loading probes the module
// once, so a wrong file or embedding size fails at load with an error
// naming the file and the expected shape. Internal to
// libbigpe_models_torch.so.
//
// Thread-safety: one thread at a time per object (the Scorer contract).
#include <torch/script.h>

#include <string>
#include <vector>

#include "models/core/clip_tokenizer.h"
#include "models/core/model_manifest.h"
#include "models/model_backends.h"

namespace bigpe::models {

class ClipImageTower {
 public:
  // The manifest's image_encoder, in its dtype on `device`.
  ClipImageTower(const ModelManifest& manifest, const torch::Device& device);

  // Of images of any sizes, preprocessed as the manifest's family does.
  torch::Tensor features(const std::vector<Image>& images);
  torch::ScalarType dtype() const { return dtype_; }

 private:
  torch::Tensor features_of_pixels(const torch::Tensor& pixels);

  ModuleFile file_;
  int64_t embed_dim_;
  torch::Device device_;
  ClipPreprocessSettings settings_;
  torch::ScalarType dtype_;
  torch::jit::Module module_;
};

class ClipTextTower {
 public:
  // The manifest's text_encoder and tokenizer.
  ClipTextTower(const ModelManifest& manifest, const torch::Device& device);

  // One row per text; a task usually scores many images against few
  // texts, so each distinct text is encoded once.
  torch::Tensor features(const std::vector<std::string>& texts);
  torch::ScalarType dtype() const { return dtype_; }

 private:
  torch::Tensor encode(const std::vector<std::string>& distinct);

  ModuleFile file_;
  int64_t embed_dim_;
  int64_t pad_id_;
  int context_length_;
  torch::Device device_;
  ClipTokenizer tokenizer_;
  torch::ScalarType dtype_;
  torch::jit::Module module_;
};

}  // namespace bigpe::models
