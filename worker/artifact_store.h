#pragma once
// ArtifactStore: where a worker keeps the images it renders, as PNG files
// under <root>/<experiment_id>/<key>.png. The path is built from fields that
// arrive over the network, so both parts are checked to be plain file-name
// tokens: a task can never write outside the root.
//
// Thread-safety: immutable; write() may be called from several threads
// (distinct keys never touch the same file; the PNG writer renames a
// temporary file into place).
#include <string>

#include "backends/image.h"

namespace bigpe {

class ArtifactStore {
 public:
  // REQUIRES: root is not empty. The folder is created on first write.
  explicit ArtifactStore(std::string root);

  // Writes the image and returns its path. Throws std::runtime_error naming
  // the path and the reason (a folder that cannot be created, a full disk),
  // or naming the field when experiment_id or key is not a safe token.
  std::string write(const std::string& experiment_id, const std::string& key,
                    const Image& image) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace bigpe
