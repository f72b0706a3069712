#pragma once
// Stable content hashes: the same bytes give the same key on every machine
// and in every version, so cache keys survive restarts and move between
// hosts. SHA-256 (OpenSSL libcrypto), written as lowercase hex.
// Thread-safety: every function is safe to call from any thread.
#include <array>
#include <cstdint>
#include <string>

#include "schemas/render_task.h"

namespace bigpe {

std::array<uint8_t, 32> sha256(const std::string& bytes);
std::string sha256_hex(const std::string& bytes);
// Hex SHA-256 of a file's bytes, read in 1 MiB pieces (model files are
// gigabytes). Throws std::runtime_error naming the file when it cannot be
// opened or read.
std::string sha256_file_hex(const std::string& path);

// The result cache key of one render+score: hex SHA-256 of a canonical
// msgpack array (fixed field order, options sorted by name) of
// ("bigpe-result-v2", service, identity, prompt, score_text, seed, steps,
// guidance, width, height, sampler, negative, options); schemas/README.md
// section 7 spells out the bytes. The service names the model profile, the
// identity what only the worker knows (its vocabulary, model files,
// precision: backends/backend_identity.h), so results of differently set
// up workers never share a key. v1 keys had no identity and are never
// looked up again.
std::string result_key(const std::string& service, const std::string& identity,
                       const std::string& prompt, const std::string& score_text, int64_t seed,
                       const schemas::RenderParams& params);

// The image key of one render alone, apart from any score (schemas/README.md
// section 7.3): hex SHA-256 of the msgpack array ("bigpe-image-v1", service,
// renderer identity, prompt, seed, steps, guidance, width, height, sampler,
// negative, options), packed as result_key packs them. `params.options`
// must hold only what changes the image: the renderer's options and those
// under "cache." (the caller filters them; the worker knows its renderer).
std::string image_key(const std::string& service, const std::string& renderer_identity,
                      const std::string& prompt, int64_t seed, const schemas::RenderParams& params);

}  // namespace bigpe
