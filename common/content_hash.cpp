#include "common/content_hash.h"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <msgpack.hpp>
#include <stdexcept>
#include <vector>

namespace bigpe {
namespace {

// Fetched once: an implicit fetch (EVP_sha256() passed to EVP_DigestInit)
// looks the algorithm up in the provider table on every call, and this is
// on the hot path of every sim render. OpenSSL picks its SHA-NI code itself.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!fetched) throw std::runtime_error("OpenSSL has no SHA256 digest");
    return fetched;  // kept for the life of the process
  }();
  return md;
}

struct DigestCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One context per thread, reset by each EVP_DigestInit_ex2: EVP_Digest
// would allocate and free a context on every call.
EVP_MD_CTX* thread_digest_ctx() {
  thread_local std::unique_ptr<EVP_MD_CTX, DigestCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
  return ctx.get();
}

}  // namespace

std::array<uint8_t, 32> sha256(const std::string& bytes) {
  std::array<uint8_t, 32> out{};
  EVP_MD_CTX* ctx = thread_digest_ctx();
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size())
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return out;
}

namespace {

std::string to_hex(const std::array<uint8_t, 32>& d) {
  static const char* kHex = "0123456789abcdef";
  std::string hex(64, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    hex[2 * i] = kHex[d[i] >> 4];
    hex[2 * i + 1] = kHex[d[i] & 15];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(const std::string& bytes) { return to_hex(sha256(bytes)); }

std::string sha256_file_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + " to hash it");
  EVP_MD_CTX* ctx = thread_digest_ctx();
  if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1) throw std::runtime_error("OpenSSL SHA-256 failed");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0 && EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(in.gcount())) != 1)
      throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  if (in.bad()) throw std::runtime_error("error reading " + path + " to hash it");
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size())
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return to_hex(out);
}

namespace {

// The render params of a key, in the order schemas/README.md 7.1 gives.
void pack_params(msgpack::packer<msgpack::sbuffer>& pk, const schemas::RenderParams& params) {
  pk.pack(params.steps);
  pk.pack(params.guidance);
  pk.pack(params.width);
  pk.pack(params.height);
  pk.pack(params.sampler);
  pk.pack(params.negative);
  pk.pack(params.options);  // std::map iterates in key order: canonical
}

}  // namespace

std::string result_key(const std::string& service, const std::string& identity,
                       const std::string& prompt, const std::string& score_text, int64_t seed,
                       const schemas::RenderParams& params) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(13);
  pk.pack(std::string("bigpe-result-v2"));
  pk.pack(service);
  pk.pack(identity);
  pk.pack(prompt);
  pk.pack(score_text);
  pk.pack(seed);
  pack_params(pk, params);
  return sha256_hex(std::string(buf.data(), buf.size()));
}

std::string image_key(const std::string& service, const std::string& renderer_identity,
                      const std::string& prompt, int64_t seed, const schemas::RenderParams& params) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(12);
  pk.pack(std::string("bigpe-image-v1"));
  pk.pack(service);
  pk.pack(renderer_identity);
  pk.pack(prompt);
  pk.pack(seed);
  pack_params(pk, params);
  return sha256_hex(std::string(buf.data(), buf.size()));
}

}  // namespace bigpe
