#pragma once
// Helpers for tests/models: scratch folders, the shared CLIP vocabulary,
// the Python that has torch (for tiny models and reference values), and
// the tiny TorchScript models made by scripts/make_tiny_models.py.
//
// Header-only and free of the rest of the project, so the models-only build
// (scripts/gpu-check) compiles these tests with nothing but libtorch and
// zlib. Thread-safety: tiny_models() may be called from one thread at a
// time; several test processes may call it at once (they write to private
// folders and rename into place).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace bigpe::models::testing {

inline bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// A fresh folder under $TMPDIR (or /tmp), removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "models") {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/bigpe-" + prefix + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = buf.data();
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs a shell command; returns its exit status and fills `output` with
// stdout and stderr together.
inline int run_shell(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
  int status = ::pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string source_dir() { return BIGPE_SOURCE_DIR; }

// The real CLIP merges file: $BIGPE_CLIP_VOCAB, else ../shared/data's copy;
// "" when neither exists.
inline std::string clip_vocab_path() {
  if (const char* env = std::getenv("BIGPE_CLIP_VOCAB"); env && file_exists(env)) return env;
  std::string shared = source_dir() + "/../shared/data/openai-clip-bpe/bpe_simple_vocab_16e6.txt.gz";
  return file_exists(shared) ? shared : "";
}

// The Python with torch: $BIGPE_PYTHON, else Debian's /usr/bin/python3
// (python3-torch installs for it, not for a pyenv python3 on PATH).
inline std::string python() {
  if (const char* env = std::getenv("BIGPE_PYTHON"); env && *env) return env;
  return "/usr/bin/python3";
}

// The device the backend tests run on: $BIGPE_TEST_DEVICE (scripts/gpu-check
// sets "cuda"), else "cpu".
inline std::string test_device() {
  const char* env = std::getenv("BIGPE_TEST_DEVICE");
  return env && *env ? env : "cpu";
}

// "" when python() can import torch (and torchvision if asked), else why not.
inline std::string python_torch_problem(bool need_torchvision = false) {
  std::string out;
  std::string probe = need_torchvision ? "import torch, torchvision" : "import torch";
  if (run_shell(python() + " -c '" + probe + "'", &out) == 0) return "";
  return python() + " cannot '" + probe + "' (install python3-torch" +
         (need_torchvision ? " and python3-torchvision" : "") + ", or set BIGPE_PYTHON): " +
         out.substr(0, 300);
}

// Folder made by scripts/make_tiny_models.py holding sd1/, sd2-v/, sdxl/,
// sdxl-turbo/, hpsv2/, pickscore/ and aesthetic/ model folders, traced on test_device(). Made once
// per script version and device under
// the build folder and reused by every test process. Returns "" and sets
// `why` when it cannot be made (no torch for python()).
inline std::string tiny_models(std::string* why) {
  static std::string cached, cached_why;
  if (!cached.empty() || !cached_why.empty()) {
    if (why) *why = cached_why;
    return cached;
  }
  cached_why = python_torch_problem();
  if (!cached_why.empty()) {
    if (why) *why = cached_why;
    return "";
  }
  std::string script = source_dir() + "/scripts/make_tiny_models.py";
  std::string helpers = read_text(source_dir() + "/scripts/bigpe_export/manifest.py") +
                        read_text(source_dir() + "/scripts/bigpe_export/scorers.py");
  std::string version = std::to_string(std::hash<std::string>{}(read_text(script) + helpers));
  std::string root = std::string(BIGPE_BINARY_DIR) + "/tiny-models";
  // Traced on the test device: a trace keeps the device it ran on.
  std::string device = test_device().rfind("cuda", 0) == 0 ? "cuda" : "cpu";
  std::string final_dir = root + "/" + version + "-" + device;
  if (file_exists(final_dir + "/done")) return cached = final_dir;
  std::filesystem::create_directories(root);
  std::string tmp = final_dir + ".tmp-" + std::to_string(::getpid());
  std::string out;
  int rc = run_shell(python() + " -B " + script + " --device " + device + " --out " + tmp, &out);
  if (rc != 0) throw std::runtime_error("make_tiny_models.py failed (" + std::to_string(rc) + "): " + out);
  write_text(tmp + "/done", "");
  std::error_code ec;
  std::filesystem::rename(tmp, final_dir, ec);
  if (ec) std::filesystem::remove_all(tmp, ec);  // another process won the race
  return cached = final_dir;
}

}  // namespace bigpe::models::testing
