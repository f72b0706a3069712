#include "models/torch/torch_support.h"

#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstdlib>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace bigpe::models {
namespace {

torch::ScalarType dtype_from_name(const std::string& name) {
  if (name == "float16") return torch::kFloat16;
  if (name == "bfloat16") return torch::kBFloat16;
  return torch::kFloat32;
}

const char* dtype_name(torch::ScalarType t) {
  if (t == torch::kFloat16) return "float16";
  if (t == torch::kBFloat16) return "bfloat16";
  return "float32";
}

bool jit_optimize_requested() {
  const char* env = std::getenv("BIGPE_JIT_OPTIMIZE");
  return env && std::string(env) == "1";
}

// First line of a libtorch message: the rest is a C++ or TorchScript stack.
std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > 400 ? line.substr(0, 400) + "..." : line;
}

// The last non-empty line of a TorchScript interpreter error, whose first
// lines are "The following operation failed..." and the serialized code.
std::string last_line(const std::string& s) {
  const size_t end = s.find_last_not_of("\n ");
  if (end == std::string::npos) return s;
  const size_t newline = s.rfind('\n', end);
  const size_t start = newline == std::string::npos ? 0 : newline + 1;
  return first_line(s.substr(start, end + 1 - start));
}

}  // namespace

torch::Device parse_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available())
      throw std::runtime_error("device '" + name + "' asked for, but this libtorch sees no CUDA device");
    int index = 0;
    if (name.size() > 5) {
      char* end = nullptr;
      long v = std::strtol(name.c_str() + 5, &end, 10);
      if (*end || v < 0 || v >= static_cast<long>(torch::cuda::device_count()))
        throw std::invalid_argument("device '" + name + "': no such CUDA device (" +
                                    std::to_string(torch::cuda::device_count()) + " visible)");
      index = static_cast<int>(v);
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw std::invalid_argument("unknown device '" + name + "' (expected auto, cpu, cuda or cuda:N)");
}

torch::ScalarType module_dtype(const ModuleFile& file, const ModelManifest& manifest, const torch::Device& device) {
  if (!device.is_cuda()) return torch::kFloat32;  // half precision on CPU is slow and partly unsupported
  return dtype_from_name(file.cuda_dtype.empty() ? manifest.cuda_dtype : file.cuda_dtype);
}

std::string run_identity(const torch::Device& device,
                         const std::vector<std::pair<std::string, torch::ScalarType>>& module_dtypes) {
  std::string out = std::string("device=") + (device.is_cuda() ? "cuda" : "cpu") + ";dtype=";
  for (std::size_t i = 0; i < module_dtypes.size(); ++i)
    out += (i ? "," : "") + module_dtypes[i].first + ":" + dtype_name(module_dtypes[i].second);
  if (jit_optimize_requested()) out += ";jit=optimized";
  return out;
}

void configure_jit_once() {
  static std::once_flag once;
  std::call_once(once, [] { torch::jit::setGraphExecutorOptimize(jit_optimize_requested()); });
}

torch::jit::Module load_module(const ModuleFile& file, const torch::Device& device, torch::ScalarType dtype) {
  configure_jit_once();
  torch::jit::Module module;
  try {
    module = torch::jit::load(file.path, device);
  } catch (const c10::Error& e) {
    throw std::runtime_error(file.path + ": not a TorchScript file this libtorch (" + TORCH_VERSION +
                             ") can load; export with the same torch version as the runtime: " +
                             first_line(e.what_without_backtrace()));
  }
  module.eval();
  torch::NoGradGuard no_grad;
  for (const auto& p : module.parameters())
    if (p.is_floating_point() && p.scalar_type() != dtype) p.set_data(p.to(dtype));
  for (const auto& b : module.buffers())
    if (b.is_floating_point() && b.scalar_type() != dtype) b.set_data(b.to(dtype));
  return module;
}

std::string shape_string(at::IntArrayRef shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

torch::Tensor expect_tensor(const c10::IValue& value, const std::vector<int64_t>& expected, const std::string& path,
                            const std::string& what) {
  std::string want = shape_string(expected);
  if (!value.isTensor())
    throw std::runtime_error(path + ": " + what + ": expected a tensor of shape " + want + ", got a " +
                             value.tagKind());
  torch::Tensor t = value.toTensor();
  bool ok = t.dim() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i) ok = expected[i] < 0 || t.size(i) == expected[i];
  if (!ok)
    throw std::runtime_error(path + ": " + what + ": expected a tensor of shape " + want + ", got " +
                             shape_string(t.sizes()));
  return t;
}

c10::IValue call_module(torch::jit::Module& module, std::vector<c10::IValue> inputs, const std::string& path) {
  auto fail = [&](const std::string& why) -> c10::IValue {
    std::string shapes;
    for (const c10::IValue& v : inputs)
      shapes += (shapes.empty() ? "" : ", ") + (v.isTensor() ? shape_string(v.toTensor().sizes()) : v.tagKind());
    throw std::runtime_error(path + ": forward failed on inputs " + shapes +
                             " (a module traced for another shape or device?): " + why);
  };
  try {
    return module.forward(inputs);  // a copy: the shapes are needed if it throws
  } catch (const c10::Error& e) {
    return fail(first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    // The interpreter rethrows an operator's failure as std::runtime_error
    // with the serialized code first and the reason last.
    return fail(last_line(e.what()));
  }
}

std::string torch_build_summary_text() {
  return std::string("libtorch ") + TORCH_VERSION + ", CUDA: " +
         (torch::cuda::is_available() ? std::to_string(torch::cuda::device_count()) + " device(s)" : "no");
}

int torch_cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

}  // namespace bigpe::models
