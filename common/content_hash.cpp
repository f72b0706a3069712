#include "common/content_hash.h"

#include "common/sha256_shani.h"

#include <sodium.h>

#include <msgpack.hpp>
#include <stdexcept>

namespace bigpe {

std::array<uint8_t, 32> sha256(const std::string& bytes) {
  if (sha_ni_available()) return sha256_shani(bytes.data(), bytes.size());
  std::array<uint8_t, 32> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::array<uint8_t, 32> d = sha256(bytes);
  std::string hex(64, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    hex[2 * i] = kHex[d[i] >> 4];
    hex[2 * i + 1] = kHex[d[i] & 15];
  }
  return hex;
}

std::string result_key(const std::string& service, const std::string& prompt,
                       const std::string& score_text, int64_t seed,
                       const schemas::RenderParams& params) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(12);
  pk.pack(std::string("bigpe-result-v1"));
  pk.pack(service);
  pk.pack(prompt);
  pk.pack(score_text);
  pk.pack(seed);
  pk.pack(params.steps);
  pk.pack(params.guidance);
  pk.pack(params.width);
  pk.pack(params.height);
  pk.pack(params.sampler);
  pk.pack(params.negative);
  pk.pack(params.options);  // std::map iterates in key order: canonical
  return sha256_hex(std::string(buf.data(), buf.size()));
}

}  // namespace bigpe
