#include "scheduler/serve/image_files.h"

#include <filesystem>

namespace bigpe::serve {

namespace fs = std::filesystem;

namespace {

bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 200 || s == "." || s == ".." || s.find("..") != std::string::npos) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

}  // namespace

bool valid_image_name(const std::string& experiment, const std::string& file) {
  return plain_name(experiment) && plain_name(file) && file.size() > 4 && file.substr(file.size() - 4) == ".png";
}

std::optional<std::string> find_image_file(const std::vector<std::string>& roots, const std::string& experiment,
                                           const std::string& file) {
  if (!valid_image_name(experiment, file)) return std::nullopt;
  for (const std::string& root : roots) {
    std::error_code ec;
    const fs::path images = fs::weakly_canonical(fs::path(root) / "images", ec);
    if (ec) continue;
    const fs::path candidate = fs::weakly_canonical(images / experiment / file, ec);
    if (ec || !fs::is_regular_file(candidate, ec)) continue;
    // Still inside images/ after symlinks are followed.
    const std::string inside = images.string() + "/";
    if (candidate.string().compare(0, inside.size(), inside) != 0) continue;
    return candidate.string();
  }
  return std::nullopt;
}

}  // namespace bigpe::serve
