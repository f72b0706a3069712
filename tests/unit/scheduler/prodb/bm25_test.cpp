// BM25 ranking on a corpus small enough to check by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "scheduler/prodb/bm25.h"

namespace bigpe {
namespace {

TEST(Bm25Tokenize, LowercaseAlphanumericRuns) {
  EXPECT_EQ(Bm25Index::tokenize("Sci-Fi 2049! A  RED\tfox"),
            (std::vector<std::string>{"sci", "fi", "2049", "a", "red", "fox"}));
  EXPECT_TRUE(Bm25Index::tokenize(" ,;- ").empty());
}

// Lengths 6, 2, 4, 3 (average 3.75); "red" and "fox" each occur in 2 of the
// 4 documents, so both have idf ln(1 + 2.5 / 2.5) = ln 2.
const std::vector<std::string> kCorpus = {
    "a red fox in the snow", "fox fox", "snowy mountain at dawn", "a red barn"};

TEST(Bm25Index, ScoreMatchesHandComputation) {
  const Bm25Index index(kCorpus);
  // doc 0: norm = 1.2 * (0.25 + 0.75 * 6 / 3.75) = 1.74; each term once.
  EXPECT_NEAR(index.score("red fox", 0), 2 * std::log(2.0) * 2.2 / 2.74, 1e-12);
  // doc 1: norm = 1.2 * (0.25 + 0.75 * 2 / 3.75) = 0.78; "fox" twice.
  EXPECT_NEAR(index.score("red fox", 1), std::log(2.0) * 2 * 2.2 / 2.78, 1e-12);
  // doc 3: norm = 1.02; "red" once.
  EXPECT_NEAR(index.score("red fox", 3), std::log(2.0) * 2.2 / 2.02, 1e-12);
  EXPECT_EQ(index.score("red fox", 2), 0.0);
}

TEST(Bm25Index, TopKRanksBestFirstAndSkipsNonMatches) {
  const Bm25Index index(kCorpus);
  // Hand-checked: 1.1131 (doc 0) > 1.0971 (doc 1) > 0.7549 (doc 3).
  EXPECT_EQ(index.top_k("Red Fox", 10), (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_EQ(index.top_k("red fox", 1), (std::vector<std::size_t>{0}));
  EXPECT_TRUE(index.top_k("volcano", 5).empty());
}

TEST(Bm25Index, RepeatedQueryTermsCountOnce) {
  const Bm25Index index(kCorpus);
  EXPECT_DOUBLE_EQ(index.score("fox fox fox", 1), index.score("fox", 1));
}

TEST(Bm25Index, TermInEveryDocumentStillCountsAndTiesKeepOrder) {
  const Bm25Index index({"blue sky", "blue sky", "blue sea"});
  EXPECT_GT(index.score("blue", 0), 0.0);
  EXPECT_EQ(index.top_k("blue", 3), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(index.top_k("sky", 3), (std::vector<std::size_t>{0, 1}));
}

TEST(Bm25Index, EmptyIndex) {
  const Bm25Index index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.top_k("anything", 3).empty());
}

}  // namespace
}  // namespace bigpe
