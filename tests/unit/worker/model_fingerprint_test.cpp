// A model folder's fingerprint, the part of a libtorch worker's backend
// identity that says which files it runs: equal for copies, different as
// soon as one byte of a file or the manifest changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/models/support/model_test_support.h"
#include "worker/model_fingerprint.h"

namespace bigpe {
namespace {

namespace fs = std::filesystem;

// A copy of a tiny model folder under `scratch`, or "" (and a skip) without tiny models.
std::string copy_of_tiny(const models::testing::ScratchDir& scratch, const std::string& name,
                         const std::string& family = "hpsv2") {
  std::string why;
  const std::string tiny = models::testing::tiny_models(&why);
  if (tiny.empty()) return "";
  const std::string dir = scratch.path() + "/" + name;
  fs::copy(tiny + "/" + family, dir, fs::copy_options::recursive);
  return dir;
}

std::string copy_of_tiny_hpsv2(const models::testing::ScratchDir& scratch, const std::string& name) {
  return copy_of_tiny(scratch, name);
}

void flip_last_byte(const std::string& path) {
  std::string bytes = models::testing::read_text(path);
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  models::testing::write_text(path, bytes);
}

TEST(ModelFingerprint, CopiesOfAFolderShareItAndAChangedByteChangesIt) {
  models::testing::ScratchDir scratch;
  const std::string a = copy_of_tiny_hpsv2(scratch, "a");
  if (a.empty()) GTEST_SKIP() << "no tiny models";
  const std::string b = copy_of_tiny_hpsv2(scratch, "b");
  const std::string fp = model_folder_fingerprint(a);
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(model_folder_fingerprint(b), fp) << "the folder's location must not count";

  // Flip the last byte of one module file, as a re-export would change it.
  std::string module;
  for (const auto& e : fs::directory_iterator(b))
    if (e.path().extension() == ".pt") module = e.path().string();
  ASSERT_FALSE(module.empty());
  flip_last_byte(module);
  EXPECT_NE(model_folder_fingerprint(b), fp);
}

// An aesthetic folder has no tokenizer, and its head is one of its files.
TEST(ModelFingerprint, AnAestheticFolderCountsItsHead) {
  models::testing::ScratchDir scratch;
  const std::string a = copy_of_tiny(scratch, "a", "aesthetic");
  if (a.empty()) GTEST_SKIP() << "no tiny models";
  const std::string fp = model_folder_fingerprint(a);
  EXPECT_EQ(fp.size(), 16u);
  flip_last_byte(a + "/head.pt");
  EXPECT_NE(model_folder_fingerprint(a), fp);
}

TEST(ModelFingerprint, TheManifestCounts) {
  models::testing::ScratchDir scratch;
  const std::string a = copy_of_tiny_hpsv2(scratch, "a");
  if (a.empty()) GTEST_SKIP() << "no tiny models";
  const std::string fp = model_folder_fingerprint(a);
  std::ofstream(a + "/manifest.yaml", std::ios::app) << "# edited\n";
  EXPECT_NE(model_folder_fingerprint(a), fp);
}

TEST(ModelFingerprint, AFolderWithoutManifestIsNamed) {
  models::testing::ScratchDir scratch;
  try {
    model_folder_fingerprint(scratch.path());
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.yaml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bigpe
