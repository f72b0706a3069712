#pragma once
// Reads a whole gzip-compressed file (or a plain one: zlib passes
// uncompressed input through), e.g. CLIP's bpe_simple_vocab_16e6.txt.gz.
//
// Thread-safety: reentrant.
#include <string>

namespace bigpe::models {

// The decompressed bytes. Throws std::runtime_error naming the path when
// it cannot be opened or its compressed data is corrupt or truncated.
std::string read_gzip_file(const std::string& path);

}  // namespace bigpe::models
