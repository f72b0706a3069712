#pragma once
// libtorch plumbing shared by the torchscript-sd renderer and the scorers:
// device and dtype choice, loading a TorchScript file with errors that
// name it, and checking a module's output shape on a probe input.
// Internal to libbigpe_models_torch.so (includes libtorch headers).
//
// Thread-safety: functions are reentrant; configure_jit_once() sets
// process-wide TorchScript executor options once.
#include <torch/script.h>

#include <string>
#include <utility>
#include <vector>

#include "models/core/model_manifest.h"
#include "models/torch/torch_entry_points.h"

namespace bigpe::models {

// "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".
// Throws std::invalid_argument for other names and std::runtime_error when
// CUDA is asked for and this libtorch has none or sees no device.
torch::Device parse_device(const std::string& name);

// The dtype a module runs in: float32 on CPU; on CUDA the module's own
// override, else the manifest's dtype (float16, bfloat16 or float32).
torch::ScalarType module_dtype(const ModuleFile& file, const ModelManifest& manifest, const torch::Device& device);

// The part of a backend identity that the loaded modules decide (the
// device kind, each module's dtype, and whether TorchScript optimizes
// graphs, which can change float results), e.g.
// "device=cuda;dtype=te:float16,unet:float16,vae:float16". The model folder's
// fingerprint is added by the worker (worker/model_fingerprint.h).
std::string run_identity(const torch::Device& device,
                         const std::vector<std::pair<std::string, torch::ScalarType>>& module_dtypes);

// TorchScript's profiling executor re-optimizes a graph during its first
// calls, which can change float results between the first and later
// renders; an image must depend only on (prompt, seed, params), so graph
// optimization is off unless BIGPE_JIT_OPTIMIZE=1.
void configure_jit_once();

// Loads `file` onto `device`, casts its floating-point parameters and
// buffers (only those: integer buffers such as position ids stay) to
// `dtype`, and puts it in eval mode. Throws std::runtime_error naming the
// file when it cannot be loaded.
torch::jit::Module load_module(const ModuleFile& file, const torch::Device& device, torch::ScalarType dtype);

// "[1, 77, 768]".
std::string shape_string(at::IntArrayRef shape);

// Throws std::runtime_error "<path>: <what>: expected a tensor of shape
// [...], got ..." unless `value` is a tensor of exactly `expected` shape.
// A -1 in `expected` matches any size. Returns the tensor.
torch::Tensor expect_tensor(const c10::IValue& value, const std::vector<int64_t>& expected,
                            const std::string& path, const std::string& what);

// Runs module.forward(inputs); a libtorch error becomes std::runtime_error
// naming the file and the input shapes (the usual cause is a module traced
// for another shape, batch or device).
c10::IValue call_module(torch::jit::Module& module, std::vector<c10::IValue> inputs, const std::string& path);

}  // namespace bigpe::models
