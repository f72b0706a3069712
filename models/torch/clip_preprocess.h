#pragma once
// The CLIP image preprocessings of models/model_backends.h (ClipPreprocess)
// as tensors, shared by the scorers' image towers. Internal to
// libbigpe_models_torch.so.
//
// Thread-safety: reentrant.
#include <torch/script.h>

#include <vector>

#include "models/core/model_manifest.h"
#include "models/model_backends.h"

namespace bigpe::models {

// The preprocessing a scorer family's reference uses, with the manifest's
// image size, mean and std.
ClipPreprocessSettings clip_preprocess_settings(const ModelManifest& manifest);

// [N, 3, S, S] float32 on the CPU. Images of one size (a task's renders)
// go as one batch; each image is processed on its own planes, so a batch
// gives each image what it gets alone. Throws std::invalid_argument for an
// empty or inconsistent image.
torch::Tensor clip_preprocess_images(const std::vector<Image>& images, const ClipPreprocessSettings& settings);

}  // namespace bigpe::models
