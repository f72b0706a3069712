#pragma once
// The fingerprint of a model folder (docs/models.md) in the backend
// identity of a worker that runs it (schemas/README.md section 7): a worker
// whose folder was re-exported, or holds another model under the same
// service name, gets another identity, so its results never pass for the
// old model's. The folder's location does not count: the same files copied
// to another machine give the same fingerprint.
//
// Cost: every byte of every file is hashed, once per worker start (about
// as long as reading the files, which loading the model does anyway).
// Thread-safety: reentrant.
#include <string>

namespace bigpe {

// First 16 hex characters of SHA-256 over one line per file,
// "<file as the manifest names it>\t<size in bytes>\t<hex SHA-256 of the file>\n",
// for manifest.yaml and then each file the manifest names (tokenizer
// vocabulary, then the modules in manifest order). Throws
// std::runtime_error from the manifest reader, or naming a file that cannot
// be read.
std::string model_folder_fingerprint(const std::string& dir);

}  // namespace bigpe
