#pragma once
// The Python baseline of `bigpe bench models` (issue: C++ against Python on
// the same modules): writes a plan file naming the module files, the batch's
// token ids, seeds, sampler coefficients and preprocessing, and runs
// bench/models/python/python_driver.py on it with a Python that has torch,
// which renders and scores the same batch with the same TorchScript modules.
// Free of libtorch headers.
#include <string>
#include <vector>

#include "models/core/model_manifest.h"
#include "schemas/render_task.h"

namespace bigpe::models {

struct PythonBaselineRequest {
  std::string python;  // interpreter with torch
  std::string device;  // "cpu", "cuda", "cuda:N"
  const ModelManifest* model = nullptr;
  const ModelManifest* scorer = nullptr;  // null: render only
  schemas::RenderParams params;
  std::vector<std::string> prompts;  // one per image
  std::vector<long long> seeds;      // one per image
  std::string score_text;
  double seconds = 3;
  // The backends' identities, whose "dtype=" part names what each module
  // runs in (float16 on CUDA by the manifests): the Python side casts alike.
  std::string renderer_identity, scorer_identity;
};

struct PythonBaselineResult {
  bool ran = false;
  double images_per_s = 0;
  std::string why;  // when !ran: the driver's last output lines
};

PythonBaselineResult run_python_baseline(const PythonBaselineRequest& request);

}  // namespace bigpe::models
