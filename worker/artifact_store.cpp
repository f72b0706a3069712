#include "worker/artifact_store.h"

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "backends/png_writer.h"

namespace bigpe {
namespace {

// Letters, digits, '-', '_' and '.', not starting with '.', so that a token
// is one path component and never "..".
void check_token(const std::string& value, const char* field) {
  bool ok = !value.empty() && value.size() <= 200 && value[0] != '.';
  for (char c : value) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
    if (!plain) ok = false;
  }
  if (!ok)
    throw std::runtime_error(std::string("artifact store: ") + field + " '" + value.substr(0, 80) +
                             "' is not a safe file name (letters, digits, '-', '_', '.')");
}

}  // namespace

ArtifactStore::ArtifactStore(std::string root) : root_(std::move(root)) {
  if (root_.empty()) throw std::invalid_argument("artifact store: root folder must not be empty");
}

std::string ArtifactStore::write(const std::string& experiment_id, const std::string& key,
                                 const Image& image) const {
  const std::string exp = experiment_id.empty() ? "default" : experiment_id;
  check_token(exp, "experiment_id");
  check_token(key, "key");
  std::filesystem::path dir = std::filesystem::path(root_) / exp;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("artifact store: cannot create folder " + dir.string() + ": " +
                             ec.message());
  std::string path = (dir / (key + ".png")).string();
  write_png_file(image, path);
  return path;
}

}  // namespace bigpe
