#pragma once
// Paths for tests: the shared data folder (optional: tests that need it skip
// when it is absent) and TempDir, a scratch folder removed on destruction.
// Thread-safe (no shared state).
#include <string>

namespace bigpe::testing {

// BIGPE_SOURCE_DIR/../shared/data when that folder exists, else "".
std::string shared_data_dir();
// The repository root (BIGPE_SOURCE_DIR as compiled into the support library).
std::string source_dir();

// A fresh folder /tmp/bigpe-test-<prefix>-XXXXXX, removed with everything in
// it when the TempDir is destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tmp");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace bigpe::testing
