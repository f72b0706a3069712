#pragma once
// The entry point of libbigpe_models_torch.so, the only binary that links
// libtorch. Everything else reaches the libtorch backends through
// models/model_backends.h, whose implementation (models/loader/) loads the
// library with dlopen on first use: processes that never ask for
// torchscript-sd or a libtorch scorer (the bigpe CLI for other commands, every other
// test) do not pay libtorch's load time (about half a CPU second).
//
// Both sides are built by this project with one compiler, so C++ types and
// exceptions cross the boundary; kTorchBackendsApiVersion guards against a
// stale library.
#include <memory>
#include <string>
#include <vector>

#include "models/model_backends.h"

namespace bigpe::models {

// 2: Renderer::limits(), cuda_device_count.
// 3: make_scorer takes the scorer's name (hpsv2, pickscore, aesthetic);
//    clip_preprocess with a method replaces hps_preprocess.
constexpr int kTorchBackendsApiVersion = 3;

struct TorchBackendsApi {
  int version;
  std::unique_ptr<Renderer> (*make_renderer)(const std::string& model_dir, const std::string& device);
  std::unique_ptr<Scorer> (*make_scorer)(const std::string& scorer, const std::string& model_dir,
                                         const std::string& device);
  std::vector<float> (*clip_preprocess)(const Image& image, const ClipPreprocessSettings& settings);
  std::string (*build_summary)();
  int (*cuda_device_count)();
};

}  // namespace bigpe::models

// Defined by libbigpe_models_torch.so; looked up with dlsym.
extern "C" const bigpe::models::TorchBackendsApi* bigpe_torch_backends_api();
