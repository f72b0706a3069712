#include "worker/model_fingerprint.h"

#include <filesystem>
#include <vector>

#include "common/content_hash.h"
#include "models/core/model_manifest.h"

namespace bigpe {

std::string model_folder_fingerprint(const std::string& dir) {
  const models::ModelManifest m = models::load_manifest(dir);
  std::vector<std::string> files = {m.path};
  if (!m.vocab.empty()) files.push_back(m.vocab);  // an aesthetic folder has no tokenizer
  for (const models::ModuleFile* f : {&m.text_encoder, &m.text_encoder_2, &m.unet, &m.vae_decoder,
                                      &m.image_encoder, &m.text_tower, &m.head})
    if (!f->path.empty()) files.push_back(f->path);
  std::string lines;
  for (const std::string& path : files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw std::runtime_error("cannot read " + path + " to fingerprint the model: " + ec.message());
    // As the manifest spells it (the manifest joins it to the folder), so
    // the folder's own location never enters the fingerprint.
    const std::string prefix = m.dir + "/";
    const std::string name = path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : path;
    lines += name + "\t" + std::to_string(size) + "\t" + sha256_file_hex(path) + "\n";
  }
  return sha256_hex(lines).substr(0, 16);
}

}  // namespace bigpe
