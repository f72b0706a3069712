// models/model_backends.h by way of dlopen: the libtorch backends live in
// libbigpe_models_torch.so (models/torch_backends_api.h), loaded on first
// use. Where the library is looked for, in order:
//   $BIGPE_MODELS_TORCH_LIB, the path CMake built it at, the folder of the
//   running executable, then the dynamic loader's search path.
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "models/core/model_manifest.h"
#include "models/torch_backends_api.h"

namespace bigpe::models {
namespace {

constexpr const char* kLibraryName = "libbigpe_models_torch.so";

struct Loaded {
  const TorchBackendsApi* api = nullptr;
  std::string why;  // when api is null
};

std::string executable_dir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

Loaded load() {
  Loaded out;
  std::string built = BIGPE_MODELS_TORCH_LIB;
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("BIGPE_MODELS_TORCH_LIB"); env && *env) candidates.push_back(env);
  if (!built.empty()) {
    candidates.push_back(built);
    std::string dir = executable_dir();
    if (!dir.empty()) candidates.push_back(dir + "/" + kLibraryName);
    candidates.push_back(kLibraryName);
  }
  if (candidates.empty()) {
    out.why = "this build has no libtorch (install libtorch-dev, or point CMAKE_PREFIX_PATH at a libtorch, "
              "and rebuild)";
    return out;
  }
  for (const std::string& path : candidates) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      out.why += (out.why.empty() ? "" : "; ") + std::string(::dlerror());
      continue;
    }
    using Entry = const TorchBackendsApi* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "bigpe_torch_backends_api"));
    const TorchBackendsApi* api = entry ? entry() : nullptr;
    if (!api || api->version != kTorchBackendsApiVersion) {
      out.why += (out.why.empty() ? "" : "; ") + path + ": not a matching " + kLibraryName + " (rebuild)";
      ::dlclose(handle);
      continue;
    }
    out.api = api;  // kept loaded for the life of the process
    out.why.clear();
    return out;
  }
  out.why = "cannot load " + std::string(kLibraryName) + ": " + out.why;
  return out;
}

const Loaded& loaded() {
  static const Loaded l = load();  // thread-safe one-time initialization
  return l;
}

const TorchBackendsApi& api_or_throw(const char* what) {
  const Loaded& l = loaded();
  if (!l.api) throw std::runtime_error(std::string(what) + " needs libtorch: " + l.why);
  return *l.api;
}

}  // namespace

bool torch_backends_available() { return loaded().api != nullptr; }

std::string torch_build_summary() {
  const Loaded& l = loaded();
  return l.api ? l.api->build_summary() : "no libtorch backends: " + l.why;
}

int cuda_device_count() {
  const Loaded& l = loaded();
  return l.api ? l.api->cuda_device_count() : 0;
}

std::unique_ptr<Renderer> make_torchscript_sd_renderer(const std::string& model_dir, const std::string& device) {
  return api_or_throw("the torchscript-sd renderer").make_renderer(model_dir, device);
}

const std::vector<std::string>& torch_scorer_names() { return scorer_family_names(); }

std::unique_ptr<Scorer> make_torch_scorer(const std::string& scorer, const std::string& model_dir,
                                          const std::string& device) {
  bool known = false;
  std::string list;
  for (const std::string& name : torch_scorer_names()) {
    known = known || name == scorer;
    list += (list.empty() ? "" : ", ") + name;
  }
  if (!known) throw std::invalid_argument("unknown libtorch scorer '" + scorer + "' (expected one of " + list + ")");
  return api_or_throw(("the " + scorer + " scorer").c_str()).make_scorer(scorer, model_dir, device);
}

std::unique_ptr<Scorer> make_hpsv2_scorer(const std::string& model_dir, const std::string& device) {
  return make_torch_scorer("hpsv2", model_dir, device);
}

std::vector<float> clip_preprocess(const Image& image, const ClipPreprocessSettings& settings) {
  return api_or_throw("CLIP preprocessing").clip_preprocess(image, settings);
}

}  // namespace bigpe::models
