#pragma once
// The libtorch scorers, each from a validated manifest of its family
// (torch_scorer_factory.cpp picks one by name). Internal to
// libbigpe_models_torch.so.
#include <torch/script.h>

#include <memory>

#include "models/core/model_manifest.h"
#include "models/model_backends.h"

namespace bigpe::models {

// hpsv2 and pickscore folders.
std::unique_ptr<Scorer> make_clip_cosine_scorer(const ModelManifest& manifest, const torch::Device& device);
// aesthetic folders.
std::unique_ptr<Scorer> make_aesthetic_scorer(const ModelManifest& manifest, const torch::Device& device);

}  // namespace bigpe::models
