// Cache keys must be stable across machines and versions: these golden
// values were computed independently (Python hashlib over hand-built msgpack).
#include "common/content_hash.h"

#include <gtest/gtest.h>

namespace bigpe {
namespace {

schemas::RenderParams golden_params() {
  schemas::RenderParams p;  // steps 1, guidance 0, 512x512, euler, no negative
  p.options["sim.taste_seed"] = "1";
  return p;
}

TEST(ContentHash, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ContentHash, Sha256IsBinarySafe) {
  std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256_hex(with_nul), sha256_hex("a"));
  EXPECT_EQ(sha256(with_nul).size(), 32u);
}

constexpr const char* kIdentity = "sim-image-v1;size=64+sim-v1;vocab=0123456789abcdef";

TEST(ContentHash, ResultKeyMatchesGoldenValue) {
  // The worked example of schemas/README.md section 7. Note for ports:
  // msgpack-c packs an integral double (guidance 0.0) as the integer 0 (one
  // byte 0x00), not as float64; the golden bytes follow that.
  EXPECT_EQ(result_key("sim", kIdentity, "a cat", "cat", 7, golden_params()),
            "c4e3cc65055b3ae03c77f77953ee608d33f31bf6d4c4b7e59564d7ce4c3a4de5");
}

TEST(ContentHash, ImageAndScoreKeysOfSeveralScorersMatchGoldenValues) {
  // The worked example of schemas/README.md section 7.3 (golden values
  // from Python hashlib over msgpack.packb of the arrays given there).
  schemas::RenderParams render_only;  // the sim renderer reads no taste seed
  EXPECT_EQ(image_key("sim", "sim-image-v1;size=64", "a cat", 7, render_only),
            "8ff88f4e3c620c282e0ad36ea9a01f66ed8aab7a2b71081b2c06688f8954140a");
  // The first scorer's score key is the one-scorer worker's item key.
  EXPECT_EQ(result_key("sim", kIdentity, "a cat", "cat", 7, golden_params()),
            "c4e3cc65055b3ae03c77f77953ee608d33f31bf6d4c4b7e59564d7ce4c3a4de5");
  EXPECT_EQ(result_key("sim", "sim-image-v1;size=64+example-v1", "a cat", "cat", 7, render_only),
            "2a6d5b5ed546ae2a43d75eac5cfd977f8586cf5bfff14b7315f9cdc66184b1b0");
  EXPECT_EQ(result_key("sim", std::string(kIdentity) + "+example-v1", "a cat", "cat", 7, golden_params()),
            "41c87ce587a7fd8deb57ed111b9462b363e4e3f0bcbbe629d4b9887250d8f769");
}

TEST(ContentHash, ImageKeysAreNotResultKeys) {
  schemas::RenderParams p;
  EXPECT_NE(image_key("sim", "r", "a cat", 7, p), result_key("sim", "r", "a cat", "", 7, p));
  EXPECT_NE(image_key("sim", "r", "a cat", 7, p), image_key("sim", "r", "a cat", 8, p));
  p.options["cache.scope"] = "e1";
  EXPECT_NE(image_key("sim", "r", "a cat", 7, p), image_key("sim", "r", "a cat", 7, schemas::RenderParams{}));
}

TEST(ContentHash, KeysWithoutIdentityAreNotTheOldV1Keys) {
  // v1 keys (no identity) were computed from the same inputs; the v2 key
  // with an empty identity must differ from them, so old entries are never
  // found again. The v1 golden value of these inputs:
  EXPECT_NE(result_key("sim", "", "a cat", "cat", 7, golden_params()),
            "8b1658291ba91a9dcec9dbb330fcc814f1e58cf26d770ed0d8feae78eb367b5e");
}

TEST(ContentHash, ResultKeyChangesWhenAnyFieldChanges) {
  const std::string base = result_key("sim", kIdentity, "a cat", "cat", 7, golden_params());
  std::vector<std::string> keys;
  keys.push_back(result_key("sim2", kIdentity, "a cat", "cat", 7, golden_params()));
  // Another vocabulary, and no identity at all (what v1 keys carried).
  keys.push_back(result_key("sim", "sim-image-v1;size=64+sim-v1;vocab=fedcba9876543210", "a cat", "cat", 7,
                            golden_params()));
  keys.push_back(result_key("sim", "", "a cat", "cat", 7, golden_params()));
  keys.push_back(result_key("sim", kIdentity, "a cat.", "cat", 7, golden_params()));
  keys.push_back(result_key("sim", kIdentity, "a cat", "cats", 7, golden_params()));
  keys.push_back(result_key("sim", kIdentity, "a cat", "cat", 8, golden_params()));
  auto vary = [&](auto change) {
    schemas::RenderParams p = golden_params();
    change(p);
    keys.push_back(result_key("sim", kIdentity, "a cat", "cat", 7, p));
  };
  vary([](schemas::RenderParams& p) { p.steps = 2; });
  vary([](schemas::RenderParams& p) { p.guidance = 7.5; });
  vary([](schemas::RenderParams& p) { p.width = 256; });
  vary([](schemas::RenderParams& p) { p.height = 256; });
  vary([](schemas::RenderParams& p) { p.sampler = "ddim"; });
  vary([](schemas::RenderParams& p) { p.negative = "blurry"; });
  vary([](schemas::RenderParams& p) { p.options["sim.taste_seed"] = "2"; });
  vary([](schemas::RenderParams& p) { p.options["other"] = "1"; });
  vary([](schemas::RenderParams& p) { p.options.clear(); });
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_NE(keys[i], base) << "variant " << i;
    for (std::size_t j = i + 1; j < keys.size(); ++j) EXPECT_NE(keys[i], keys[j]) << i << " vs " << j;
  }
}

TEST(ContentHash, ResultKeyIgnoresOptionInsertionOrder) {
  schemas::RenderParams a, b;
  a.options["x"] = "1";
  a.options["y"] = "2";
  b.options["y"] = "2";
  b.options["x"] = "1";
  EXPECT_EQ(result_key("s", "i", "p", "q", 1, a), result_key("s", "i", "p", "q", 1, b));
}

TEST(ContentHash, FieldBoundariesAreUnambiguous) {
  // Concatenation-style hashing would make these collide.
  schemas::RenderParams p;
  EXPECT_NE(result_key("ab", "c", "p", "q", 1, p), result_key("a", "bc", "p", "q", 1, p));
  EXPECT_NE(result_key("s", "ab", "c", "q", 1, p), result_key("s", "a", "bc", "q", 1, p));
}

}  // namespace
}  // namespace bigpe
