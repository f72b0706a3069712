// sim-v1 text primitives and the vocabulary matcher (docs/sim-v1.md §1).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "backends/sim/sim_text.h"
#include "backends/sim/sim_vocabulary.h"

namespace bigpe::sim {
namespace {

using Words = std::vector<std::string>;

TEST(SimWords, LowercasesAsciiTokensAndSplitsOnEverythingElse) {
  EXPECT_EQ(words("A cactus, highly-detailed!"), (Words{"a", "cactus", "highly", "detailed"}));
  EXPECT_EQ(words("8K UHD_render"), (Words{"8k", "uhd", "render"}));
  EXPECT_EQ(words(""), Words{});
  EXPECT_EQ(words("  ,;  "), Words{});
}

TEST(SimWords, KeepsOneApostropheSuffixOfLetters) {
  EXPECT_EQ(words("a child's drawing"), (Words{"a", "child's", "drawing"}));
  EXPECT_EQ(words("rock'n'roll"), (Words{"rock'n", "roll"}));
  EXPECT_EQ(words("80's"), (Words{"80's"}));
  EXPECT_EQ(words("dogs' 'quoted'"), (Words{"dogs", "quoted"}));
  EXPECT_EQ(words("it'9"), (Words{"it", "9"}));
}

TEST(SimWords, NonAsciiBytesSeparateTokens) {
  EXPECT_EQ(words("caf\xc3\xa9 na\xc3\xafve"), (Words{"caf", "na", "ve"}));
}

TEST(SimStem, DropsFinalSOnlyForLongWordsNotEndingInSs) {
  EXPECT_EQ(stem("clouds"), "cloud");
  EXPECT_EQ(stem("glass"), "glass");
  EXPECT_EQ(stem("bus"), "bus");
  EXPECT_EQ(stem("cats"), "cat");
  EXPECT_EQ(stem("its"), "its");
  EXPECT_EQ(stem("tree"), "tree");
  EXPECT_EQ(stem_view("windmills"), "windmill");
}

TEST(SimStopWords, MatchTheReferenceSet) {
  for (const char* w : {"a", "an", "the", "with", "of", "and", "in", "on", "at", "by", "for", "to",
                        "from", "its", "it", "is", "are", "as", "into", "over", "under",
                        "through", "their", "his", "her", "this", "that", "while", "amid",
                        "among", "near", "or"})
    EXPECT_TRUE(is_stop_word(w)) << w;
  for (const char* w : {"cactus", "", "The", "has", "be", "was", "onto", "ors"})
    EXPECT_FALSE(is_stop_word(w)) << w;
}

TEST(SimNormalize, JoinsTokensWithSingleSpaces) {
  EXPECT_EQ(normalize_phrase("  Trending on ArtStation!! "), "trending on artstation");
  EXPECT_EQ(normalize_phrase("\"quoted\""), "quoted");
  EXPECT_EQ(normalize_phrase("--"), "");
}

TEST(SimHz, ReproducesTheReferenceGoldenValues) {
  EXPECT_NEAR(hz("sim-v1|w|0|highly detailed"), 1.2889476853586683, 1e-12);
  EXPECT_NEAR(hz("sim-v1|q|0|a cactus"), -0.5183490210291626, 1e-12);
}

TEST(SimHz, IsRoughlyStandardNormal) {
  double sum = 0, sum2 = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const double z = hz("test|" + std::to_string(i));
    sum += z;
    sum2 += z * z;
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  // Loose bounds: 4000 draws give se(mean) ~ 0.016, se(var) ~ 0.022.
  EXPECT_NEAR(mean, 0.0, 0.1);
  EXPECT_NEAR(var, 1.0, 0.15);
}

TEST(SimVocabulary, NormalizesDeduplicatesAndDropsBadPhrases) {
  const auto v = Vocabulary::from_phrases({"Highly Detailed", "highly, detailed", "\"quoted\"",
                                           "!!", "one two three four five six seven",
                                           "one two three four five six", "Octane render"});
  EXPECT_EQ(v.phrases(),
            (Words{"highly detailed", "one two three four five six", "octane render"}));
  EXPECT_TRUE(v.contains("octane render"));
  EXPECT_FALSE(v.contains("Octane render"));
  EXPECT_FALSE(v.contains("quoted"));
}

TEST(SimVocabulary, MatchTakesTheLongestPhraseLeftToRightAndCountsEachOnce) {
  const auto v = Vocabulary::from_phrases(
      {"octane", "octane render", "render", "highly detailed", "detailed", "sharp focus"});
  const auto m = v.match(words("octane render, highly detailed octane render detailed focus"));
  EXPECT_EQ(m.phrases, (Words{"octane render", "highly detailed", "detailed"}));
  EXPECT_EQ(m.covered, (std::vector<bool>{true, true, true, true, true, true, true, false}));
}

TEST(SimVocabulary, MatchSkipsPastAMatchBeforeLookingAgain) {
  // "b c" would match at position 1, but "a b" is taken first and skipped.
  const auto v = Vocabulary::from_phrases({"a b", "b c"});
  const auto m = v.match(words("a b c"));
  EXPECT_EQ(m.phrases, Words{"a b"});
  EXPECT_EQ(m.covered, (std::vector<bool>{true, true, false}));
}

TEST(SimVocabulary, MatchIndicesRespectsTheTokenLimit) {
  const auto v = Vocabulary::from_phrases({"sharp focus", "bokeh"});
  std::vector<std::size_t> ids;
  std::vector<bool> covered;
  v.match_indices(words("bokeh sharp focus"), 2, &ids, &covered);
  EXPECT_EQ(ids, std::vector<std::size_t>{1});  // "sharp focus" straddles the limit
  EXPECT_EQ(covered, (std::vector<bool>{true, false}));
}

class TempFile {
 public:
  explicit TempFile(const std::string& content)
      : path_(std::string(BIGPE_BINARY_DIR) + "/sim_text_test_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt") {
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SimVocabulary, LoadSkipsCommentsAndBlankLines) {
  TempFile f("# header\n\nhighly detailed\n   # indented comment\r\nOil Painting\r\n\n");
  const auto v = Vocabulary::load(f.path());
  EXPECT_EQ(v.phrases(), (Words{"highly detailed", "oil painting"}));
}

TEST(SimVocabulary, LoadOfAMissingFileNamesIt) {
  try {
    Vocabulary::load("/nonexistent/vocab.txt");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/vocab.txt"), std::string::npos)
        << e.what();
  }
}

TEST(SimVocabulary, LoadOfABinaryLineNamesFileAndLine) {
  TempFile f(std::string("ok\nsecond\nbad\0line\n", 20));
  try {
    Vocabulary::load(f.path());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(f.path() + ":3"), std::string::npos) << e.what();
  }
}

TEST(SimVocabulary, DefaultListLoadsAndHoldsTheGoldenTablePhrases) {
  const auto v = Vocabulary::load(default_vocabulary_path());
  EXPECT_GE(v.size(), 400u);
  for (const char* p : {"highly detailed", "octane render", "cinematic lighting", "oil painting",
                        "sharp focus", "art nouveau", "volumetric lighting",
                        "trending on artstation", "watercolor", "bokeh"})
    EXPECT_TRUE(v.contains(p)) << p;
  for (const auto& p : v.phrases()) EXPECT_LE(words(p).size(), Vocabulary::kMaxPhraseTokens);
}

TEST(SimVocabulary, DataDirEnvironmentOverridesTheDefaultPath) {
  ASSERT_EQ(setenv("BIGPE_DATA_DIR", "/some/dir", 1), 0);
  EXPECT_EQ(default_vocabulary_path(), "/some/dir/sim_vocabulary.txt");
  ASSERT_EQ(unsetenv("BIGPE_DATA_DIR"), 0);
  EXPECT_EQ(default_vocabulary_path(),
            std::string(BIGPE_SOURCE_DIR) + "/experiments/data/sim_vocabulary.txt");
}

}  // namespace
}  // namespace bigpe::sim
