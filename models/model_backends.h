#pragma once
// The libtorch backends behind the Renderer and Scorer interfaces
// (docs/design.md section 5), built from model folders (docs/models.md):
//   torchscript-sd  Stable Diffusion 1.x / 2.x / SDXL / SDXL-Turbo
//   hpsv2           HPS v2 (open_clip ViT-H-14 towers), 100 x cosine
//   pickscore       PickScore v1 (CLIP ViT-H-14 towers), exp(logit_scale) x cosine
//   aesthetic       LAION aesthetic predictor (CLIP ViT-L/14 image tower + linear head)
// This header is free of libtorch: the backends live in
// libbigpe_models_torch.so, loaded on first use (models/torch_backends_api.h),
// so programs that never ask for them do not load libtorch. In a build
// without libtorch, or when the library cannot be loaded, the functions
// below throw std::runtime_error saying why.
//
// Thread-safety: the factories may be called concurrently. Each backend
// object is used by one thread at a time (the worker's contract); two
// objects may run at once, on one device or on several.
#include <memory>
#include <string>
#include <vector>

#include "backends/image.h"
#include "backends/renderer.h"
#include "backends/scorer.h"

namespace bigpe::models {

// True when this build has libtorch (else the factories below throw).
bool torch_backends_available();
// "libtorch 1.13.0, CUDA: no" and the like, for logs and `bigpe bench models`.
std::string torch_build_summary();
// The CUDA devices libtorch sees (CUDA_VISIBLE_DEVICES applies); 0 without
// libtorch or CUDA.
int cuda_device_count();

// Loads the model folder onto `device` ("auto", "cpu", "cuda", "cuda:N"):
// checks the manifest and probes each module's output shapes. Throws
// std::runtime_error naming the file and what was expected (a missing file,
// a family this backend does not run, a module whose outputs have the wrong
// shape), std::invalid_argument for a bad device name.
std::unique_ptr<Renderer> make_torchscript_sd_renderer(const std::string& model_dir,
                                                       const std::string& device = "auto");
// The libtorch scorers by name: "hpsv2", "pickscore", "aesthetic"
// (docs/models.md). Each runs a model folder of the family of its name.
const std::vector<std::string>& torch_scorer_names();
// `scorer` is one of torch_scorer_names() (else std::invalid_argument
// listing them); a folder of another family is a std::runtime_error
// naming its manifest.
std::unique_ptr<Scorer> make_torch_scorer(const std::string& scorer, const std::string& model_dir,
                                          const std::string& device = "auto");
std::unique_ptr<Scorer> make_hpsv2_scorer(const std::string& model_dir, const std::string& device = "auto");

// How an image becomes the [3, S, S] pixels a CLIP image tower takes; each
// is the pipeline of the reference implementation it is named after
// (docs/model-reference.md section 1.2, docs/models.md "Scoring").
enum class ClipPreprocess {
  // open_clip ResizeMaxSize (HPS v2): to float in [0,1], scale the longer
  // side to S with a bicubic resize of the float tensor (no antialias, no
  // clamp), pad with 0 (left/top get half, rounded down).
  kOpenClipMaxSize,
  // Hugging Face CLIPImageProcessor (PickScore): scale the shorter side to
  // S (the longer to int(S * long / short)) with PIL's antialiased bicubic
  // on the 8-bit image, horizontal pass then vertical, each rounded to 8
  // bits; crop S x S at ((h - S) // 2, (w - S) // 2); then to [0,1].
  // Matches PIL to one level on a few pixels in a thousand (PIL's
  // fixed-point weights), rarely two.
  kHfClipProcessor,
  // OpenAI CLIP / torchvision Resize + CenterCrop (the aesthetic
  // predictor): as kHfClipProcessor, but the crop offset is
  // round((h - S) / 2) with Python's round half to even.
  kOpenAiClip,
};

struct ClipPreprocessSettings {
  ClipPreprocess method = ClipPreprocess::kOpenClipMaxSize;
  int image_size = 224;
  double mean[3] = {0.48145466, 0.4578275, 0.40821073};
  double std[3] = {0.26862954, 0.26130258, 0.27577711};
};

// The preprocessing on the CPU, ending with normalization by mean/std.
// Returns the [3, S, S] floats, channel-major. Throws
// std::invalid_argument for an empty or inconsistent image.
std::vector<float> clip_preprocess(const Image& image, const ClipPreprocessSettings& settings = {});

}  // namespace bigpe::models
