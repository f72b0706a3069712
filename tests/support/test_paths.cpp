#include "tests/support/test_paths.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace bigpe::testing {

namespace fs = std::filesystem;

std::string source_dir() { return BIGPE_SOURCE_DIR; }

std::string shared_data_dir() {
  fs::path dir = fs::path(BIGPE_SOURCE_DIR) / ".." / "shared" / "data";
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return fs::canonical(dir, ec).string();
  return "";
}

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = "/tmp/bigpe-test-" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr)
    throw std::runtime_error("TempDir: mkdtemp " + pattern + ": " + std::strerror(errno));
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace bigpe::testing
