#pragma once
// The functions libbigpe_models_torch.so exports through its table
// (torch_backends_api.cpp). models/model_backends.h documents them under
// their public names, without the torch_ prefix. Free of libtorch headers.
#include <memory>
#include <string>
#include <vector>

#include "models/model_backends.h"

namespace bigpe::models {

std::unique_ptr<Renderer> torch_make_sd_renderer(const std::string& model_dir, const std::string& device);
std::unique_ptr<Scorer> torch_make_scorer(const std::string& scorer, const std::string& model_dir,
                                          const std::string& device);
std::vector<float> torch_clip_preprocess(const Image& image, const ClipPreprocessSettings& settings);
std::string torch_build_summary_text();
int torch_cuda_device_count();

}  // namespace bigpe::models
