// SHA-256: FIPS 180-4 test vectors, digests (computed with Python's hashlib)
// on every length around the block and padding boundaries, and the same
// digests from several threads at once (each thread has its own context).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/content_hash.h"

namespace bigpe {
namespace {

// n bytes of a fixed pattern: byte i is (i*131 + 7) mod 256.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

TEST(Sha256, MatchesTheStandardsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, MatchesPythonAroundThePaddingBoundaries) {
  EXPECT_EQ(sha256_hex(pattern(55)), "16ed9c4697ca11d5f6fb25ea7900252dd4cb97215d7f6d0b2bb3e2a86ac0ec72");
  EXPECT_EQ(sha256_hex(pattern(56)), "939ada93b2fe1e9c596d767bb408567c83e253667f0b25e5be8e16f35f2cbac9");
  EXPECT_EQ(sha256_hex(pattern(64)), "b337ba9b0c69c391364e985fdcb23a889887e59800832c92fbfa22b8a3c40304");
  EXPECT_EQ(sha256_hex(pattern(119)), "9773fbac8194c3d789af101b49b6a26073076895ef6e0f658432849dd477a43f");
  EXPECT_EQ(sha256_hex(pattern(300)), "cf2eb35169ce035ca6dfb9c3a303d1495473b02fd17c5635008f1e659b733d8f");
}

// The digests of pattern(0) .. pattern(300), concatenated and hashed once
// more: one wrong length anywhere changes the result. Python:
//   sha256(b''.join(sha256(pattern(n)).digest() for n in range(301)))
std::string digest_of_all_lengths() {
  std::string all;
  for (std::size_t n = 0; n <= 300; ++n) {
    std::array<uint8_t, 32> d = sha256(pattern(n));
    all.append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  return sha256_hex(all);
}

TEST(Sha256, MatchesPythonOnEveryLengthUpTo300) {
  EXPECT_EQ(digest_of_all_lengths(),
            "7722024365d27836079cbf29de35d060b9383d7c713083199661392f983216d4");
}

TEST(Sha256, GivesTheSameDigestsFromManyThreads) {
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&got, t] { got[t] = digest_of_all_lengths(); });
  for (std::thread& th : threads) th.join();
  for (const std::string& g : got)
    EXPECT_EQ(g, "7722024365d27836079cbf29de35d060b9383d7c713083199661392f983216d4");
}

}  // namespace
}  // namespace bigpe
