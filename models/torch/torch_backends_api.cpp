// The table models/loader/ finds with dlsym (models/torch_backends_api.h).
#include "models/torch_backends_api.h"

#include "models/torch/torch_entry_points.h"

extern "C" const bigpe::models::TorchBackendsApi* bigpe_torch_backends_api() {
  static const bigpe::models::TorchBackendsApi api{
      bigpe::models::kTorchBackendsApiVersion,
      &bigpe::models::torch_make_sd_renderer,
      &bigpe::models::torch_make_scorer,
      &bigpe::models::torch_clip_preprocess,
      &bigpe::models::torch_build_summary_text,
      &bigpe::models::torch_cuda_device_count,
  };
  return &api;
}
