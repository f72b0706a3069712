#pragma once
// Images per second of the torchscript-sd renderer (and optionally the
// hpsv2 scorer) at several batch sizes, to show whether batching pays.
// Shared by `bigpe bench models` and the models-only `bigpe-models-bench`
// (scripts/gpu-check). Free of libtorch headers.
//
// Thread-safety: run_models_bench is reentrant; it owns its backends.
#include <ostream>
#include <string>
#include <vector>

namespace bigpe::models {

struct ModelsBenchOptions {
  std::string model;         // torchscript-sd model folder
  std::string scorer_model;  // hpsv2 model folder, "" = no scoring
  std::string device = "auto";
  std::string sampler = "euler";
  std::vector<int> batches{1, 8};
  int steps = 4;
  double guidance = 7.5;  // forced to 0 for sdxl-turbo
  double seconds = 3;     // per batch size, after one warm-up batch
  int size = 0;           // 0 = the model's default size
  // A Python with torch that drives the same modules as the baseline
  // (python_baseline.h); "" = no baseline.
  std::string python = "python3";
};

// Prints one line of settings, then one line per batch size:
// "batch  8: render   123.4 images/s, score   456.7 images/s  (12 rounds)",
// and with a Python baseline one more per batch size comparing render+score
// images per second, C++ against Python, measured in this run; the last
// line is "ratio=<C++ / Python at the largest batch>".
// Throws what the backends throw (a bad folder, a bad device).
void run_models_bench(const ModelsBenchOptions& options, std::ostream& out);

}  // namespace bigpe::models
