// SHA-256: FIPS 180-4 test vectors, and the SHA-NI path against libsodium's
// portable one on every length around the block and padding boundaries.
#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>

#include "common/content_hash.h"
#include "common/sha256_shani.h"

namespace bigpe {
namespace {

TEST(Sha256, MatchesTheStandardsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ShaNiAgreesWithThePortableCodeOnEveryLength) {
  if (!sha_ni_available()) GTEST_SKIP() << "this CPU has no SHA extensions";
  std::mt19937 rng(7);
  for (std::size_t n = 0; n <= 300; ++n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::array<uint8_t, 32> portable{};
    crypto_hash_sha256(portable.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
    EXPECT_EQ(sha256_shani(s.data(), s.size()), portable) << "length " << n;
  }
}

}  // namespace
}  // namespace bigpe
